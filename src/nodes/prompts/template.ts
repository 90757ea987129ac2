/**
 * Prompt templates are plain text files with `{{name}}` placeholders (files under pipelines/templates/, named by a
 * node param, so editing one reruns exactly what depends on it). A section `{{#name}}…{{/name}}` is kept only when
 * `name` is set and non-empty. Unknown or missing placeholders are errors, not silent blanks.
 */
export type TemplateVars = Readonly<Record<string, string | number | undefined>>;

export function renderTemplate(template: string, vars: TemplateVars, source = 'template'): string {
  const withSections = template.replace(
    /\{\{#(\w+)\}\}([\s\S]*?)\{\{\/\1\}\}/g,
    (_all, name: string, body: string) => {
      const value = vars[name];
      return value === undefined || value === '' ? '' : body;
    },
  );
  return withSections.replace(/\{\{(\w+)\}\}/g, (_all, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`${source}: placeholder {{${name}}} has no value`);
    return String(value);
  });
}

/** The placeholder names a template uses (for validating a template against what a node can fill). */
export function templatePlaceholders(template: string): string[] {
  return [...new Set([...template.matchAll(/\{\{[#/]?(\w+)\}\}/g)].map((m) => m[1] as string))];
}
