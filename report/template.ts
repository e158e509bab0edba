/**
 * The page: one handlebars template with its CSS inline. No external resource of any kind (no
 * fonts, scripts, images or stylesheets by URL): the file opens the same offline, attached to an
 * e-mail or in ten years. Plots are inline SVG ({{{svg}}}: vega's output, the only unescaped text).
 */
export const CSS = `
:root { --fg: #1b1b1b; --muted: #555; --line: #d8d8d8; --accent: #0072B2; --warn: #D55E00; --bg-alt: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 Helvetica, Arial, sans-serif; color: var(--fg); background: #fff; }
header { padding: 18px 28px 12px; border-bottom: 3px solid var(--accent); }
header h1 { margin: 0 0 4px; font-size: 22px; }
header .meta { color: var(--muted); font-size: 12px; }
nav { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line); padding: 6px 28px; z-index: 1; font-size: 13px; }
nav a { color: var(--accent); text-decoration: none; margin-right: 14px; white-space: nowrap; }
main { padding: 8px 28px 40px; max-width: 1500px; }
section { margin-top: 22px; }
section > h2 { font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; color: #333; }
.grid { display: flex; flex-wrap: wrap; gap: 18px 24px; align-items: flex-start; }
figure { margin: 0; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 12px; color: var(--muted); max-width: 470px; }
figcaption .file { font-family: Menlo, Consolas, monospace; }
.scroll { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0 14px; font-size: 13px; }
caption { text-align: left; font-size: 12px; color: var(--muted); padding-bottom: 4px; caption-side: top; }
th, td { border: 1px solid var(--line); padding: 3px 8px; vertical-align: top; }
th { background: var(--bg-alt); font-weight: 600; text-align: left; }
tr:nth-child(even) td { background: #fbfbfc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.na { color: var(--muted); font-style: italic; }
td.diag { font-weight: 600; }
td.flag { color: var(--warn); font-weight: 600; }
.mono { font-family: Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
.small { font-size: 11px; }
p.note { color: var(--muted); margin: 6px 0; flex-basis: 100%; }
p.warn { flex-basis: 100%; color: var(--warn); border-left: 3px solid var(--warn); padding: 2px 8px; margin: 8px 0; }
table.kv td:first-child { font-weight: 600; background: var(--bg-alt); }
@media print { nav { display: none; } figure { break-inside: avoid; } }
`;

export const TEMPLATE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="hepc report">
<title>{{title}}</title>
<style>{{{css}}}</style>
</head>
<body>
<header>
<h1>{{title}}</h1>
<div class="meta">{{source}} · plan {{planShort}}{{#if generated}} · {{generated}}{{/if}}</div>
</header>
<nav>{{#each sections}}<a href="#{{id}}">{{title}}</a>{{/each}}</nav>
<main>
{{#each sections}}
<section id="{{id}}">
<h2>{{title}}</h2>
<div class="grid">
{{#each blocks}}
{{#if heading}}</div><h3>{{heading}}</h3><div class="grid">{{/if}}
{{#if note}}<p class="note">{{note}}</p>{{/if}}
{{#if warn}}<p class="warn">{{warn}}</p>{{/if}}
{{#if plot}}<figure class="plot" id="plot-{{plot.name}}" data-plot="{{plot.name}}">{{{plot.svg}}}<figcaption>{{#if plot.caption}}{{plot.caption}} {{/if}}<span class="file">{{plot.name}}.svg</span></figcaption></figure>{{/if}}
{{#if table}}<div class="scroll"><table{{#if table.kv}} class="kv"{{/if}}>{{#if table.caption}}<caption>{{table.caption}}</caption>{{/if}}
{{#unless table.kv}}<thead><tr>{{#each table.head}}<th>{{this}}</th>{{/each}}</tr></thead>{{/unless}}
<tbody>{{#each table.rows}}<tr>{{#each this}}<td{{#if cls}} class="{{cls}}"{{/if}}{{#if title}} title="{{title}}"{{/if}}>{{text}}</td>{{/each}}</tr>{{/each}}</tbody>
</table></div>{{/if}}
{{/each}}
</div>
</section>
{{/each}}
</main>
</body>
</html>
`;
