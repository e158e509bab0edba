/**
 * Scale-out: a plan cut into tasks (tasks.ts) in a work directory on shared storage (workdir.ts),
 * each task run by `hepc task` (task.ts), driven by an executor: local subprocesses (local/),
 * Slurm job arrays (slurm/) or an HTCondor DAG (htcondor/).
 * In: a validated plan and its analysis folder. Out: the plan's outputs, published by the merge
 * task, byte-identical to `hepc run`. Must not import cli/, report/ or the compiler beyond
 * compiler/core (the CLI hands in the report renderer and the command that runs a task).
 */
export { cutPlan, sampleEntries, allTasks, taskById, STAGES, type TaskGraph, type TaskSpec, type StageName, type CutOptions } from "./tasks.js";
export { runTask, type TaskOptions } from "./task.js";
export { prepareWorkdir, readGraph, readPlan, readState, resultOf, verifyResult, logTail, type ExecutorState, type TaskResult } from "./workdir.js";
