/**
 * The console's templates: Eta, because it escapes every interpolation by default (`<%= %>`; only `<%~ %>`,
 * used for a layout's body and for partials, prints raw), is written in TypeScript with ES module exports and
 * no dependencies, and keeps templates as plain files beside the routes. Nothing in the console builds HTML
 * out of strings: values go to a template, which escapes them.
 *
 * The templates are read from the source tree (src/http/console/templates), which the package ships, both
 * when running from dist/ and in tests.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';

/** The package's root from this module, compiled (dist/src/http/console/) or not (src/http/console/). */
function packageRoot(): string {
  const compiled = fileURLToPath(new URL('../../../../', import.meta.url));
  return existsSync(`${compiled}package.json`) ? compiled : fileURLToPath(new URL('../../../', import.meta.url));
}

export const CONSOLE_SOURCE_DIR = `${packageRoot()}src/http/console/`;

const eta = new Eta({
  views: `${CONSOLE_SOURCE_DIR}templates`,
  autoEscape: true,
  // A missing value prints as nothing (not "undefined" or "null"); the filter runs before the escape.
  autoFilter: true,
  filterFunction: (value: unknown) => (value === undefined || value === null ? '' : String(value)),
  // Templates are read once and kept: they do not change while tuikuan runs.
  cache: true,
  // Whitespace after tags is trimmed so that tables stay compact in the page source.
  autoTrim: [false, 'nl'],
});

/** Renders a template (by its name in templates/, without `.eta`) with its data. */
export function renderTemplate(name: string, data: object): string {
  return eta.render(name, data);
}
