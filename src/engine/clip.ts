/** User-controlled text in messages and records, cut to a readable length (an argument or error may be megabytes). */
export function clip(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}
