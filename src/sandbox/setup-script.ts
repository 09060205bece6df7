/**
 * The shell script that turns a fresh set of namespaces into an instance. It runs as PID 1 of a
 * new pid namespace, inside new mount, UTS, IPC and network namespaces that `unshare` made, still
 * seeing the host's files, and ends by exec'ing the payload inside the instance's disk with the
 * dangerous capabilities gone.
 *
 * The rule that keeps the host safe: while the process holds the host's full root powers it runs
 * only the host's own programs, and never follows a path an earlier run could have planted on the
 * instance's disk (a symlink there would lead a host program to a host path). The last host
 * program, `capsh`, drops the bounding set (CAP_SYS_ADMIN, CAP_SYS_CHROOT, CAP_MKNOD … — see
 * SANDBOX_DROPPED_CAPS) and chroots into the disk; only then does anything from the disk run.
 * Without CAP_SYS_CHROOT a chroot cannot be left, and the kernel refuses a chrooted process a
 * new user namespace. Every step that fails stops the run before the payload starts (`set -eu`).
 *
 * Inputs come in the environment (never interpolated into this text):
 *   SBX_MERGED    where the instance's root is mounted      SBX_UPPER, SBX_WORK  the overlay's dirs
 *   SBX_LOWER     the read-only base (/ or a user's rootfs) SBX_HIDE  a host dir to hide (the endpoint's data)
 *   SBX_HOSTNAME  the instance's host name                  SBX_CGROUPS  cgroup.procs files to join
 *   SBX_DROP      capability numbers to drop (capsh --drop) SBX_SCRIPT  the payload script's text (optional)
 *   SBX_SCRIPT_PATH  where it is written inside             SBX_WORKDIR  the payload's working directory
 *   SBX_ENV       the payload's environment, lines KEY=VALUE
 *   SBX_OVERLAY   "kernel" (root: overlayfs) or "fuse" (rootless: fuse-overlayfs in the user namespace)
 *   SBX_MASK      with fuse: the host's mount points below the base, one a line, covered by empty tmpfs
 * Positional arguments: the payload command (argv), run when SBX_SCRIPT is empty.
 */
export const SETUP_SCRIPT = String.raw`set -eu
for procs in $SBX_CGROUPS; do echo $$ > "$procs"; done
M="$SBX_MERGED"
if [ "$SBX_OVERLAY" = fuse ]; then
  # Rootless: every file shows as the instance root's (squash_to_root), and a write copies it up
  # into the disk as the calling user's file. fuse-overlayfs chatters about options it ignores;
  # only a failure's words are passed on.
  if ! fuse_out=$(fuse-overlayfs -o "lowerdir=$SBX_LOWER,upperdir=$SBX_UPPER,workdir=$SBX_WORK,squash_to_root" "$M" 2>&1); then
    printf 'statectl sandbox: fuse-overlayfs could not mount the instance disk: %s\n' "$fuse_out" >&2
    exit 125
  fi
  # It reads the base through the host's paths, so it would show what is mounted below them.
  printf '%s\n' "$SBX_MASK" | while IFS= read -r below; do
    if [ -n "$below" ] && [ -d "$M$below" ] && [ "$(realpath -e "$M$below" 2>/dev/null)" = "$M$below" ]; then
      mount -t tmpfs -o ro,nosuid,nodev,noexec,mode=755,size=4k tmpfs "$M$below" 2>/dev/null || true
    fi
  done
else
  mount -t overlay overlay -o "lowerdir=$SBX_LOWER,upperdir=$SBX_UPPER,workdir=$SBX_WORK" "$M"
fi
# What an earlier run left on the disk is untrusted: the mount points used below must be plain
# directories, not symlinks a host program would follow out of the instance.
for dir in proc dev; do
  if [ -L "$M/$dir" ] || { [ -e "$M/$dir" ] && [ ! -d "$M/$dir" ]; }; then
    echo "statectl sandbox: /$dir on the instance's disk is not a directory; reset the instance (statectl local fleet reset)" >&2
    exit 125
  fi
  [ -d "$M/$dir" ] || mkdir "$M/$dir"
done
# The endpoint's own data (other instances' disks, its store) is not the instance's business.
if [ -n "$SBX_HIDE" ] && [ -d "$M$SBX_HIDE" ] && [ "$(realpath -e "$M$SBX_HIDE")" = "$M$SBX_HIDE" ]; then
  mount -t tmpfs -o mode=700,size=1m tmpfs "$M$SBX_HIDE"
fi
mount -t proc -o nosuid,nodev,noexec proc "$M/proc"
# Kernel-wide switches stay out of reach: read-only or masked, as container runtimes do.
for ro in sys sysrq-trigger bus fs irq; do
  if [ -e "$M/proc/$ro" ]; then mount --bind "$M/proc/$ro" "$M/proc/$ro"; mount -o remount,bind,ro "$M/proc/$ro"; fi
done
for masked in kcore keys timer_list sched_debug latency_stats kallsyms; do
  if [ -f "$M/proc/$masked" ]; then mount --bind /dev/null "$M/proc/$masked"; fi
done
for dir in acpi scsi asound; do
  if [ -d "$M/proc/$dir" ]; then mount -t tmpfs -o ro,size=4k tmpfs "$M/proc/$dir"; fi
done
# A /dev with the harmless character devices only: no disks, no /dev/mem, no host ttys.
mount -t tmpfs -o nosuid,noexec,mode=755,size=64k dev "$M/dev"
for node in null zero full random urandom tty; do
  : > "$M/dev/$node"
  mount --bind "/dev/$node" "$M/dev/$node"
done
mkdir "$M/dev/shm" "$M/dev/pts"
mount -t tmpfs -o nosuid,nodev,size=64m shm "$M/dev/shm"
ln -s /proc/self/fd "$M/dev/fd"; ln -s /proc/self/fd/0 "$M/dev/stdin"; ln -s /proc/self/fd/1 "$M/dev/stdout"; ln -s /proc/self/fd/2 "$M/dev/stderr"
hostname "$SBX_HOSTNAME"
# The network namespace is empty: bring up loopback and add nothing else, so there is no route out.
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up 2>/dev/null || true
exec setpriv --no-new-privs --inh-caps=-all -- capsh --drop="$SBX_DROP" --chroot="$M" --shell=/bin/sh -- -c "$SBX_INSTANCE_SCRIPT" statectl-instance "$@"
`;

/**
 * What runs inside the instance (from its own disk, with the capabilities already dropped):
 * bring back the firewall rules the last run left (a run's network namespace is its own, so the
 * rules are kept on the instance's disk, as iptables-persistent does on a real instance), write
 * the script where the agent would, go to the working directory, run the payload with only the
 * environment it is given, and save the rules again.
 */
export const INSTANCE_SCRIPT = String.raw`set -eu
cd /
RULES=/var/lib/statectl/netfilter
for family in 4 6; do
  restore=iptables-restore; [ "$family" = 6 ] && restore=ip6tables-restore
  if [ -s "$RULES/rules.v$family" ] && command -v "$restore" >/dev/null 2>&1; then
    "$restore" < "$RULES/rules.v$family" 2>/dev/null || echo "statectl sandbox: could not restore the instance's saved IPv$family firewall rules" >&2
  fi
done
if [ -n "$SBX_SCRIPT" ]; then
  mkdir -p "$(dirname "$SBX_SCRIPT_PATH")"
  printf '%s\n' "$SBX_SCRIPT" > "$SBX_SCRIPT_PATH"
  chmod 700 "$SBX_SCRIPT_PATH"
  set -- sh -c "$SBX_SCRIPT_PATH"
fi
if ! cd "$SBX_WORKDIR" 2>/dev/null; then
  echo "Working directory $SBX_WORKDIR does not exist on the instance." >&2
  exit 1
fi
set -f
IFS='
'
status=0
env -i $SBX_ENV "$@" || status=$?
cd /
mkdir -p "$RULES" 2>/dev/null || true
for family in 4 6; do
  save=iptables-save; [ "$family" = 6 ] && save=ip6tables-save
  if command -v "$save" >/dev/null 2>&1 && "$save" > "$RULES/rules.v$family.new" 2>/dev/null; then
    mv "$RULES/rules.v$family.new" "$RULES/rules.v$family"
  else
    rm -f "$RULES/rules.v$family.new"
  fi
done
exit "$status"
`;

/**
 * Capabilities the instance's root keeps (what a real instance's root uses on files, users, its
 * own network and firewall); every other one is dropped from the bounding set before anything
 * from the instance's disk runs. Numbers as in linux/capability.h.
 */
export const SANDBOX_KEPT_CAPS: Readonly<Record<string, number>> = {
  chown: 0,
  dac_override: 1,
  fowner: 3,
  fsetid: 4,
  kill: 5,
  setgid: 6,
  setuid: 7,
  setpcap: 8,
  net_bind_service: 10,
  net_admin: 12,
  net_raw: 13,
  audit_write: 29,
  setfcap: 31,
};
