/**
 * The RootWriter facade: routes trees and histograms to directories of one RootFileWriter and
 * finishes trees before the file's closing records are written.
 */
import { RootFileWriter, kStartBigFile, type FileStamp } from "./file.js";
import type { Compression } from "./compress.js";
import {
  serializeTH1, serializeTNamed,
  serializeTH2,
  validateHistogram,
  validateHistogram2D,
  type HistogramSpec,
  type Histogram2DSpec,
} from "./hist.js";
import { DEFAULT_BASKET_ENTRIES, TreeWriterImpl, type TreeColumnSpec, type TreeWriter } from "./tree.js";

export interface RootWriterOptions {
  /** Default: zlib level 1 (ROOT's historical default, fast). Level 0 stores records uncompressed. */
  compression?: Compression;
  /**
   * The dates and UUID to record instead of now and random ones: with them, the same calls in the
   * same order write the same bytes.
   */
  stamp?: FileStamp;
}

export interface RootWriter {
  /** A tree written in baskets as chunks arrive (streaming, bounded memory). */
  tree(path: string, title: string, columns: TreeColumnSpec[], opts?: { basketEntries?: number }): TreeWriter;
  histogram(h: HistogramSpec): void;
  histogram2d(h: Histogram2DSpec): void;
  /** A TNamed ("dir/name", its title): a labelled string, as ROOT stores one. */
  named(path: string, title: string): void;
  /** Writes keys lists, streamer info, free segments, header; renames the temp file into place. */
  close(): Promise<void>;
  /** Removes the temp file: nothing is left behind. */
  abort(): Promise<void>;
}

class RootWriterImpl implements RootWriter {
  private readonly trees: TreeWriterImpl[] = [];

  constructor(private readonly file: RootFileWriter) {}

  tree(path: string, title: string, columns: TreeColumnSpec[], opts?: { basketEntries?: number }): TreeWriter {
    this.file.checkOpen();
    const { dir, name } = this.file.reserve(path);
    try {
      const t = new TreeWriterImpl(this.file, dir, name, title, columns, opts?.basketEntries ?? DEFAULT_BASKET_ENTRIES);
      this.trees.push(t);
      return t;
    } catch (e) {
      this.file.release(dir, name);
      throw e;
    }
  }

  histogram(h: HistogramSpec): void {
    this.file.checkOpen();
    validateHistogram(h);
    const { dir, name } = this.file.reserve(h.path);
    void this.file.track(
      this.file.addObject(dir, name, { className: h.kind, name, title: h.title, serialize: (keylen) => serializeTH1(h, name, keylen) }),
    );
  }

  histogram2d(h: Histogram2DSpec): void {
    this.file.checkOpen();
    validateHistogram2D(h);
    const { dir, name } = this.file.reserve(h.path);
    void this.file.track(
      this.file.addObject(dir, name, { className: h.kind, name, title: h.title, serialize: (keylen) => serializeTH2(h, name, keylen) }),
    );
  }

  named(path: string, title: string): void {
    this.file.checkOpen();
    const { dir, name } = this.file.reserve(path);
    void this.file.track(this.file.addObject(dir, name, { className: "TNamed", name, title, serialize: (keylen) => serializeTNamed(name, title, keylen) }));
  }

  async close(): Promise<void> {
    try {
      for (const t of this.trees) await t.finish();
    } catch (e) {
      await this.file.abort();
      throw e;
    }
    await this.file.close();
  }

  abort(): Promise<void> {
    return this.file.abort();
  }
}

/** Opens a writer; `limit` (bytes) exists so tests can exercise the big-file refusal cheaply. */
export async function openRootWriter(path: string, opts?: RootWriterOptions, limit = kStartBigFile): Promise<RootWriter> {
  const file = await RootFileWriter.create(path, opts?.compression ?? { algorithm: "zlib", level: 1 }, limit, opts?.stamp);
  return new RootWriterImpl(file);
}
