/**
 * Fit-ready outputs. In: a FitInput (channels of an observable in a region, with each process's
 * nominal histogram, its systematic copies and the observation), built from a run's histograms
 * by exec/outputs.ts. Out: a CMS combine datacard's text and the histograms its shapes line
 * names, and a pyhf HistFactory JSON workspace. Pure functions: no files, no plan, no exec;
 * imports nothing of the project but its own files.
 */
export { type Bins, type FitChannel, type FitInput, type FitProcess, type FitSystematic, observed, observationSource, observationOf, observationNotes, PSEUDODATA } from "./model.js";
export { cardNumber, orderedProcesses, shapeHistograms, writeDatacard } from "./datacard.js";
export { buildWorkspace, measurementName, POI, type Workspace } from "./workspace.js";
