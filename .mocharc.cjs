// Mocha adds a config file's `spec` to the files named on the command line, so with a fixed spec
// a focused run (`npx mocha dist/test/cli/plan.test.js`) would still run the whole suite. The
// suite's spec applies only when no test file is named.
const namesTestFiles = process.argv.slice(2).some((arg) => !arg.startsWith("-") && arg.endsWith(".test.js"));

module.exports = {
  ...(namesTestFiles ? {} : { spec: ["dist/test/**/*.test.js"] }),
  ignore: ["dist/test/shared/**"],
  timeout: 20000,
  reporter: "spec",
  require: ["dist/test/fast-check-seed.js", "dist/test/store-verify.js"],
};
