/**
 * The HTCondor executor: a DAGMan description of the tasks (one node per task, PARENT/CHILD edges
 * between stages, RETRY, and a POST script that checks each node's result by its hashes) and a
 * submit file per stage, submitted with condor_submit_dag where it exists and otherwise written
 * for the user to submit. Each stage also gets a stand-alone submit file that queues its tasks
 * `from` a list, for running a stage without DAGMan.
 *
 * No HTCondor pool was available to run these (HTCondor is packaged neither in Debian 12 nor for
 * npm): the files follow the syntax of HTCondor's manual and are checked by tests against it, and
 * the tasks they name are run by the local executor to show the DAG complete.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { RunError } from "../../errors.js";
import { runCommand, shellQuote, which } from "../commands.js";
import { newState, saveState, tasksToDo, type DriveOptions } from "../drive.js";
import type { TaskGraph } from "../tasks.js";

export interface CondorOptions extends DriveOptions {
  requirements?: string;
  /** request_memory, in HTCondor's syntax (2048, 2GB). */
  requestMemory?: string;
}

export interface CondorFiles {
  dag: string;
  /** The DAGMan job's cluster id when it was submitted. */
  submitted?: string;
  files: Record<string, string>;
}

/** An argument of HTCondor's new `arguments = "..."` syntax: single quotes around one with spaces. */
function condorArg(a: string): string {
  const escaped = a.replace(/"/g, '""').replace(/'/g, "''");
  return /[\s']/.test(a) ? `'${escaped}'` : escaped;
}

/** The DAG and submit files of a graph, by path relative to WORKDIR/condor. */
export function condorFiles(graph: TaskGraph, workdir: string, o: CondorOptions, todo: Set<string>): Record<string, string> {
  const files: Record<string, string> = {};
  const dir = path.join(workdir, "condor");
  const [node, ...rest] = o.taskCommand;
  const submit = (stage: string, queue: string) =>
    [
      `# hepc scale-out: stage '${stage}' of ${workdir} (plan ${graph.planHash.slice(0, 12)})`,
      "universe = vanilla",
      `executable = ${node}`,
      `arguments = "${[...rest, "task", workdir, "$(task)"].map(condorArg).join(" ")}"`,
      `initialdir = ${graph.analysisDir}`,
      // the work directory is on storage every node sees: nothing is transferred
      "should_transfer_files = NO",
      `output = ${path.join(workdir, "logs", `${stage}-$(index).job$(Cluster).log`)}`,
      `error = ${path.join(workdir, "logs", `${stage}-$(index).job$(Cluster).err`)}`,
      `log = ${path.join(dir, "hepc.log")}`,
      ...(o.requestMemory ? [`request_memory = ${o.requestMemory}`] : []),
      ...(o.requirements ? [`requirements = ${o.requirements}`] : []),
      queue,
      "",
    ].join("\n");
  const dag: string[] = [`# hepc scale-out DAG of ${workdir} (plan ${graph.planHash.slice(0, 12)}); submit with condor_submit_dag`];
  for (const s of graph.stages) {
    if (!s.tasks.length) continue;
    files[`${s.name}.sub`] = submit(s.name, "queue");
    files[`${s.name}.tasks`] = s.tasks.map((t) => `${s.name}:${t.index}, ${t.index}\n`).join("");
    files[`${s.name}-all.sub`] = submit(s.name, `queue task, index from ${path.join(dir, `${s.name}.tasks`)}`);
    for (const t of s.tasks) {
      dag.push(`JOB ${t.id} ${path.join(dir, `${s.name}.sub`)}${todo.has(t.id) ? "" : " DONE"}`);
      dag.push(`VARS ${t.id} task="${s.name}:${t.index}" index="${t.index}"`);
      dag.push(`RETRY ${t.id} ${o.retries ?? 0}`);
      dag.push(`SCRIPT POST ${t.id} ${path.join(dir, "post.sh")} ${s.name}:${t.index} $RETURN`);
    }
  }
  for (const s of graph.stages) for (const t of s.tasks) if (t.inputs.length) dag.push(`PARENT ${t.inputs.join(" ")} CHILD ${t.id}`);
  dag.push(`NODE_STATUS_FILE ${path.join(dir, "hepc.status")}`);
  files["hepc.dag"] = dag.join("\n") + "\n";
  // the POST script: a node succeeds only when its task exited 0 and its result checks out by hash
  files["post.sh"] = [
    "#!/bin/sh",
    "# DAGMan POST script: $1 the task, $2 the job's exit code.",
    'if [ "$2" != 0 ]; then exit "$2"; fi',
    `exec ${[...o.taskCommand, "task", workdir].map(shellQuote).join(" ")} "$1" --verify`,
    "",
  ].join("\n");
  return files;
}

export async function writeCondor(graph: TaskGraph, o: CondorOptions): Promise<CondorFiles> {
  const dir = path.join(o.workdir, "condor");
  mkdirSync(dir, { recursive: true });
  const todo = await tasksToDo(o.workdir, graph);
  const files = condorFiles(graph, o.workdir, o, todo);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  chmodSync(path.join(dir, "post.sh"), 0o755);
  const state = newState("htcondor", graph, todo);
  state.status = "written";
  let submitted: string | undefined;
  if (which("condor_submit_dag")) {
    const out = await runCommand("condor_submit_dag", ["-batch-name", `hepc-${graph.planHash.slice(0, 8)}`, path.join(dir, "hepc.dag")]);
    const m = /submitted to cluster (\d+)/.exec(out.stdout);
    if (out.code !== 0 || !m) throw new RunError("HEP7002", { scheduler: "HTCondor", stage: "dag", message: out.stderr.trim() || out.stdout.trim() });
    submitted = m[1];
    state.status = "running";
    state.jobs = [{ stage: "dag", id: submitted, indices: [], attempt: 1 }];
  }
  saveState(o.workdir, state);
  return { dag: path.join(dir, "hepc.dag"), submitted, files };
}
