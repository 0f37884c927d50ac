// Checks rendered Kubernetes manifests against the Kubernetes API schemas, without a cluster:
//  1. every document parses as YAML and has apiVersion, kind and metadata.name;
//  2. each object is validated with the JSON schema of its kind (kubernetes-models, generated from Kubernetes'
//     OpenAPI; ServiceMonitor from the Prometheus Operator's CRD): types, required fields, enums, formats;
//  3. each object is type-checked by the TypeScript compiler against the same models' interfaces, which also
//     refuses unknown fields (a misspelt key is silently dropped by the API server otherwise).
// Usage: node check.mjs MANIFEST.yaml...   Exits non-zero on the first file with problems, naming them all.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));

// apiVersion -> module with the models of that group/version.
function modulePath(apiVersion) {
  if (apiVersion === "v1") return "kubernetes-models/v1";
  if (apiVersion.startsWith("monitoring.coreos.com/")) return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

const problems = [];
const objects = [];
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) { problems.push(`${file}: YAML: ${doc.errors.map(e => e.message).join("; ")}`); continue; }
    const obj = doc.toJS();
    if (obj == null) continue;
    const where = `${file}: ${obj.kind ?? "?"}/${obj.metadata?.name ?? "?"}`;
    if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) { problems.push(`${where}: apiVersion, kind and metadata.name are required`); continue; }
    let model;
    try {
      model = (await import(modulePath(obj.apiVersion)))[obj.kind];
    } catch (e) { /* unknown group/version */ }
    if (typeof model !== "function") { problems.push(`${where}: no schema for ${obj.apiVersion} ${obj.kind}`); continue; }
    try {
      new model(obj).validate();
    } catch (e) {
      problems.push(`${where}: ${e.message}`);
      continue;
    }
    objects.push({ where, obj, module: `${modulePath(obj.apiVersion)}/${obj.kind}`, type: `I${obj.kind}` });
  }
}

// Unknown fields: TypeScript's excess-property check on object literals typed with the models' interfaces.
if (objects.length) {
  // Inside this folder, so the imports resolve to its node_modules.
  const dir = mkdtempSync(join(here, ".work-"));
  try {
    const lines = [];
    objects.forEach((o, i) => lines.push(`import type { ${o.type} as T${i} } from ${JSON.stringify(o.module)};`));
    objects.forEach((o, i) => lines.push(`// ${o.where}`, `export const o${i}: T${i} = ${JSON.stringify(o.obj)};`));
    const source = join(dir, "manifests.ts");
    writeFileSync(source, lines.join("\n") + "\n");
    try {
      execFileSync(process.execPath, [join(here, "node_modules/typescript/bin/tsc"), "--noEmit", "--strict",
        "--skipLibCheck", "--module", "nodenext", "--moduleResolution", "nodenext", source],
        { encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      const out = `${e.stdout ?? ""}${e.stderr ?? ""}`;
      for (const line of out.split("\n").filter(Boolean)) {
        const m = line.match(/manifests\.ts\((\d+),\d+\): (.*)/);
        const comment = m ? lines[Number(m[1]) - 2] ?? "" : "";
        problems.push(m ? `${comment.startsWith("// ") ? comment.slice(3) : "manifests.ts:" + m[1]}: ${m[2]}` : line);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const o of objects) if (!problems.some(p => p.startsWith(o.where + ":"))) console.log(`  ok  ${o.where}`);
if (problems.length) {
  for (const p of problems) console.error(`  FAIL ${p}`);
  process.exit(1);
}
