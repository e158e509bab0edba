/**
 * The HTCondor executor's files. No HTCondor pool can run here (it is packaged neither in Debian
 * 12 nor for npm), so: the DAG and submit files are compared with golden files, checked against
 * the syntax of HTCondor's manual (DAGMan's JOB/VARS/RETRY/SCRIPT/PARENT…CHILD lines, submit
 * descriptions' `key = value` commands and `queue` statements), every node's submit file,
 * executable, arguments and paths must exist, and then every node is run in the DAG's order with
 * the command its submit file describes, and its POST script: the outputs are byte-identical to
 * `hepc run`, so the DAG is complete.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, haveDist, spawnCli } from "../../helpers/spawn-cli.js";
import { repoPath } from "../../helpers/repo.js";
import { outputHashes, zmumuParts, removeFixtures } from "./fixture.js";

const GOLDEN = repoPath("test/baselines/scale-out/htcondor");

interface DagNode {
  name: string;
  submit: string;
  vars: Record<string, string>;
  retry?: number;
  post?: string[];
  parents: string[];
}

/** A DAG file read by the rules of DAGMan's manual; throws on any line it does not define. */
function parseDag(text: string): Map<string, DagNode> {
  const nodes = new Map<string, DagNode>();
  const node = (n: string, line: string) => {
    const x = nodes.get(n);
    if (!x) throw new Error(`node ${n} used before its JOB line: ${line}`);
    return x;
  };
  const NAME = /^[A-Za-z0-9_.-]+$/;
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const w = line.trim().split(/\s+/);
    switch (w[0]) {
      case "JOB": {
        // JOB JobName SubmitDescriptionFileName [DIR directory] [NOOP] [DONE]
        expect(w.length, line).toBeGreaterThanOrEqual(3);
        expect(w[1], line).toMatch(NAME);
        expect(["PARENT", "CHILD"]).not.toContain(w[1].toUpperCase());
        expect(w.slice(3).every((k) => k === "DONE" || k === "NOOP"), line).toBe(true);
        expect(nodes.has(w[1]), `node ${w[1]} defined twice`).toBe(false);
        nodes.set(w[1], { name: w[1], submit: w[2], vars: {}, parents: [] });
        break;
      }
      case "VARS": {
        // VARS JobName macroname="string" [macroname2="string2" ...]
        const rest = line.trim().slice(5 + w[1].length + 1);
        const re = /\s*([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/y;
        let m: RegExpExecArray | null;
        let at = 0;
        while ((m = re.exec(rest))) {
          node(w[1], line).vars[m[1]] = m[2];
          at = re.lastIndex;
        }
        expect(rest.slice(at).trim(), `unparsed VARS: ${line}`).toBe("");
        break;
      }
      case "RETRY":
        // RETRY JobName NumberOfRetries [UNLESS-EXIT value]
        expect(w[2], line).toMatch(/^\d+$/);
        node(w[1], line).retry = Number(w[2]);
        break;
      case "SCRIPT":
        // SCRIPT [DEFER status time] POST JobName ExecutableName [arguments]
        expect(w[1], line).toBe("POST");
        node(w[2], line).post = w.slice(3);
        break;
      case "PARENT": {
        // PARENT ParentJobName... CHILD ChildJobName...
        const c = w.indexOf("CHILD");
        expect(c, line).toBeGreaterThan(1);
        expect(c, line).toBeLessThan(w.length - 1);
        for (const child of w.slice(c + 1)) node(child, line).parents.push(...w.slice(1, c).map((p) => node(p, line).name));
        break;
      }
      case "NODE_STATUS_FILE":
        expect(w.length, line).toBeGreaterThanOrEqual(2);
        break;
      default:
        throw new Error(`not a DAGMan command: ${line}`);
    }
  }
  return nodes;
}

/** A submit description read by the manual's rules: `command = value` lines, then one queue statement last. */
function parseSubmit(text: string): { commands: Record<string, string>; queue: string } {
  const KNOWN = new Set(["universe", "executable", "arguments", "initialdir", "should_transfer_files", "output", "error", "log", "request_memory", "requirements"]);
  const commands: Record<string, string> = {};
  const lines = text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
  const queue = lines.pop()!;
  expect(queue).toMatch(/^queue(\s+\d+|\s+[A-Za-z_]\w*(\s*,\s*[A-Za-z_]\w*)*\s+from\s+\S+)?$/);
  for (const l of lines) {
    const m = /^([A-Za-z_]\w*)\s*=\s*(.*)$/.exec(l);
    expect(m, `not a submit command: ${l}`).not.toBeNull();
    expect(KNOWN.has(m![1].toLowerCase()), `unknown submit command ${m![1]}`).toBe(true);
    commands[m![1]] = m![2];
  }
  return { commands, queue };
}

/** HTCondor's new `arguments = "..."` syntax: words split on spaces, 'single quotes' group, '' and "" escape. */
function splitArguments(v: string, macros: Record<string, string>): string[] {
  expect(v.startsWith('"') && v.endsWith('"'), `arguments not in the new syntax: ${v}`).toBe(true);
  const s = v.slice(1, -1).replace(/""/g, '"').replace(/\$\((\w+)\)/g, (_, k: string) => {
    expect(k in macros, `undefined macro $(${k})`).toBe(true);
    return macros[k];
  });
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "'") {
      if (quoted && s[i + 1] === "'") {
        cur += "'";
        i++;
      } else quoted = !quoted;
      has = true;
    } else if (/\s/.test(ch) && !quoted) {
      if (has) out.push(cur);
      cur = "";
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

/** Paths that vary between runs replaced by names, for the golden files. */
function normalise(text: string, dir: string, workdir: string): string {
  return text
    .split(workdir).join("$WORKDIR")
    .split(dir).join("$ANALYSIS")
    .split(CLI).join("$HEPC")
    .split(process.execPath).join("$NODE")
    .replace(/plan [0-9a-f]{12}/g, "plan $PLAN");
}

describe.skipIf(!haveDist)("--executor htcondor", () => {
  afterAll(removeFixtures);

  it("writes a DAG and submit files that follow HTCondor's syntax, match the golden files, and whose nodes run to outputs identical to hepc run", async () => {
    const dir = zmumuParts();
    expect((await spawnCli(["run", "analysis.hep", "--quiet"], dir)).code).toBe(0);
    const reference = outputHashes(dir);
    rmSync(path.join(dir, "out"), { recursive: true });

    const r = await spawnCli(["run", "analysis.hep", "--executor", "htcondor", "--workdir", "wd", "--chunk-files", "2", "--retries", "2", "--request-memory", "2GB", "--requirements", '(OpSysAndVer == "AlmaLinux9")'], dir, { PATH: path.dirname(process.execPath) + ":/usr/bin:/bin" });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("condor_submit_dag was not found here; submit it from a host of your pool with\n  condor_submit_dag wd/condor/hepc.dag");
    const workdir = path.join(dir, "wd");
    const condor = path.join(workdir, "condor");

    // golden files (HEPC_ACCEPT=1 rewrites them)
    for (const f of readdirSync(condor).sort()) {
      const text = normalise(readFileSync(path.join(condor, f), "utf8"), dir, workdir);
      const golden = path.join(GOLDEN, f);
      if (process.env.HEPC_ACCEPT === "1") {
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(golden, text);
      }
      expect(text, f).toBe(readFileSync(golden, "utf8"));
    }
    expect(readdirSync(GOLDEN).sort()).toEqual(readdirSync(condor).sort());

    const nodes = parseDag(readFileSync(path.join(condor, "hepc.dag"), "utf8"));
    // one node per task: 2 parts of 3 files, a gather, the merge
    expect([...nodes.keys()]).toEqual(["read-dimuon-0", "read-dimuon-1", "gather-dimuon", "merge"]);
    expect(nodes.get("gather-dimuon")!.parents).toEqual(["read-dimuon-0", "read-dimuon-1"]);
    expect(nodes.get("merge")!.parents).toEqual(["gather-dimuon"]);
    for (const n of nodes.values()) expect(n.retry).toBe(2);

    // every stand-alone stage file queues its tasks `from` a list that exists, two items a line
    for (const stage of ["read", "gather", "merge"]) {
      const all = parseSubmit(readFileSync(path.join(condor, `${stage}-all.sub`), "utf8"));
      const list = /from\s+(\S+)$/.exec(all.queue)![1];
      expect(existsSync(list)).toBe(true);
      for (const line of readFileSync(list, "utf8").trim().split("\n")) expect(line).toMatch(new RegExp(`^${stage}:\\d+, \\d+$`));
    }

    // run the DAG: each node once its parents are done, with its submit file's command, then its POST script
    const done = new Set<string>();
    while (done.size < nodes.size) {
      const ready = [...nodes.values()].filter((n) => !done.has(n.name) && n.parents.every((p) => done.has(p)));
      expect(ready.length, "the DAG has a cycle").toBeGreaterThan(0);
      for (const n of ready) {
        expect(existsSync(n.submit), n.submit).toBe(true);
        const { commands, queue } = parseSubmit(readFileSync(n.submit, "utf8"));
        expect(queue).toBe("queue");
        expect(commands.universe).toBe("vanilla");
        expect(commands.request_memory).toBe("2GB");
        expect(commands.requirements).toBe('(OpSysAndVer == "AlmaLinux9")');
        expect(statSync(commands.executable).mode & 0o111).not.toBe(0);
        expect(statSync(commands.initialdir).isDirectory()).toBe(true);
        for (const f of ["output", "error", "log"]) expect(existsSync(path.dirname(commands[f].replace(/\$\((\w+)\)/g, (_, k) => n.vars[k] ?? "1"))), f).toBe(true);
        const args = splitArguments(commands.arguments, n.vars);
        expect(args.slice(0, 3)).toEqual([CLI, "task", workdir]);
        expect(existsSync(args[0]) && existsSync(args[2])).toBe(true);
        const job = spawnSync(commands.executable, args, { cwd: commands.initialdir, encoding: "utf8" });
        expect(job.status, `${n.name}: ${job.stderr}`).toBe(0);
        const [script, ...postArgs] = n.post!;
        expect(statSync(script).mode & 0o111).not.toBe(0);
        const post = spawnSync(script, postArgs.map((a) => (a === "$RETURN" ? String(job.status) : a)), { encoding: "utf8" });
        expect(post.status, `${n.name} POST: ${post.stderr}`).toBe(0);
        done.add(n.name);
      }
    }
    expect(outputHashes(dir)).toEqual(reference);

    // the POST script fails a node whose job failed, and one whose outputs are damaged
    const [script, task] = nodes.get("read-dimuon-0")!.post!;
    expect(spawnSync(script, [task, "3"]).status).toBe(3);
    const cols = path.join(workdir, "tasks", "read-dimuon-0", "columns");
    writeFileSync(path.join(cols, readdirSync(cols)[0]), "damaged");
    const bad = spawnSync(script, [task, "0"], { encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("HEP7005");
  }, 240_000);
});
