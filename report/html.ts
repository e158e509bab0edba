/** The sections (plots already drawn) into the page, with handlebars (escaping every text). */
import Handlebars from "handlebars";
import { CSS, TEMPLATE } from "./template.js";
import type { ReportInput } from "./types.js";
import type { Section } from "./view.js";

let compiled: Handlebars.TemplateDelegate | null = null;

export function pageHtml(input: ReportInput, sections: Array<Section & { blocks: Array<{ plot?: { svg?: string } }> }>): string {
  compiled ??= Handlebars.create().compile(TEMPLATE, { strict: false, noEscape: false });
  const a = input.analysis;
  return compiled({
    title: a.title ?? a.name,
    source: a.source,
    planShort: a.planHash.slice(0, 12),
    generated: a.generated,
    css: CSS,
    sections,
  });
}
