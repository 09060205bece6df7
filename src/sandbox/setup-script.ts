/**
 * The shell script that turns a fresh set of namespaces into an instance. It runs as PID 1 of a
 * new pid namespace, inside new mount, UTS, IPC and network namespaces that `unshare` made, still
 * seeing the host's files, and ends by exec'ing the payload with the host's root unmounted and
 * the dangerous capabilities dropped. Every step that fails stops it before the payload starts
 * (`set -eu`): a half-built sandbox never runs anything.
 *
 * Inputs come in the environment (never interpolated into this text):
 *   SBX_MERGED    where the instance's root is mounted      SBX_UPPER, SBX_WORK  the overlay's dirs
 *   SBX_LOWER     the read-only base (/ or a user's rootfs) SBX_HIDE  a host dir to hide (the endpoint's data)
 *   SBX_HOSTNAME  the instance's host name                  SBX_CGROUPS  cgroup.procs files to join
 *   SBX_SCRIPT    the payload script's text (optional)     SBX_SCRIPT_PATH  where it is written inside
 *   SBX_WORKDIR   the payload's working directory          SBX_ENV  the payload's environment, NUL-free lines KEY=VALUE
 * Positional arguments: the payload command (argv), run when SBX_SCRIPT is empty.
 */
export const SETUP_SCRIPT = String.raw`set -eu
for procs in $SBX_CGROUPS; do echo $$ > "$procs"; done
M="$SBX_MERGED"
mount -t overlay overlay -o "lowerdir=$SBX_LOWER,upperdir=$SBX_UPPER,workdir=$SBX_WORK" "$M"
# The endpoint's own data (other instances' disks, its store) is not the instance's business.
if [ -n "$SBX_HIDE" ] && [ -d "$M$SBX_HIDE" ]; then mount -t tmpfs -o mode=700,size=1m tmpfs "$M$SBX_HIDE"; fi
mkdir -p "$M/proc" "$M/dev" "$M/sys" "$M/tmp" "$M/run"
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
mkdir -p "$M/dev/shm" "$M/dev/pts"
mount -t tmpfs -o nosuid,nodev,size=64m shm "$M/dev/shm"
ln -s /proc/self/fd "$M/dev/fd"; ln -s /proc/self/fd/0 "$M/dev/stdin"; ln -s /proc/self/fd/1 "$M/dev/stdout"; ln -s /proc/self/fd/2 "$M/dev/stderr"
hostname "$SBX_HOSTNAME"
# The network namespace is empty: bring up loopback and add nothing else, so there is no route out.
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up 2>/dev/null || true
# Leave the host's root behind for good: pivot into the instance's disk and detach the old root.
cd "$M"
pivot_root . .
umount -l .
cd /
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
# Capabilities a real instance's root needs stay (files, users, its own network and firewall);
# mounting, devices, modules, raw I/O, ptrace, clocks and the kernel's logs go. no_new_privs
# keeps set-uid files from bringing any back.
set -f
IFS='
'
exec env -i $SBX_ENV setpriv --no-new-privs --inh-caps=-all \
  --bounding-set=-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,+setpcap,+net_bind_service,+net_raw,+net_admin,+sys_chroot,+audit_write,+setfcap \
  -- "$@"
`;
