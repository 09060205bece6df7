/**
 * The whole suite runs the local endpoint's store with verifyMarks (store.ts): after every write,
 * every entry is compared too, and a change made without markChanged() fails the request that made
 * it. Child processes (the CLI, `local serve`) inherit the setting.
 */
process.env["STATECTL_STORE_VERIFY"] ??= "1";
