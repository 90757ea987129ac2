/**
 * User-declared General Points evaluation splits: a researcher probes a trained model on a face-card mapping, a card
 * count, a value range or a target no built-in split has, and on a Fake-style split whose prompt states one mapping
 * while scoring uses another. The object is checked up front (`gpSplitProblems`, located by the pipeline loader) and
 * turned into a deal spec (`gpSplitFromObject`); every dealt task carries the mapping its prompt states and the
 * numbers its formula must use, so nothing downstream looks the split up by name.
 */
import { FACE_MAPPINGS, resolveFaceMapping, type FaceMapping } from './face-mappings.js';
import { MAX_RANK } from './cards.js';
import { builtInGpSplit, type ForcedCard, type GpSplit } from './splits.js';

/** A face-card mapping as a user writes it: a mapping name (`all_5`) or the values `{J, Q, K}`. */
export type FacesInput = string | { readonly J: number; readonly Q: number; readonly K: number };

/** The split object `gp.evalset` accepts in `splits` besides a built-in name. */
export interface GpSplitObject {
  readonly name: string;
  /** Cards per task, 2..6 (default 4). */
  readonly cards?: number;
  /** The mapping the prompt states (default all_10). */
  readonly promptFaces?: FacesInput;
  /** The mapping whose numbers a correct formula uses (default promptFaces); differs for a Fake-style split. */
  readonly scoringFaces?: FacesInput;
  /** Cards are dealt from A..maxCard (10..19; ranks above 13 show as numbers; default 13). */
  readonly maxCard?: number;
  /** One card forced per deal: a face card (J/Q/K), a large card (14..maxCard) or none (default 'none'). */
  readonly forced?: ForcedCard;
  /** The number the formula must reach (default 24). */
  readonly target?: number;
}

/** A mistake in a split object: the path of the offending field inside it and what is wrong. */
export interface GpSplitProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

const FIELDS = ['name', 'cards', 'promptFaces', 'scoringFaces', 'maxCard', 'forced', 'target'] as const;
const FACE_VALUE_MAX = 99;
const TARGET_MAX = 999;

/**
 * Every mistake in a split object (empty when it is fine): unknown fields, a missing name or one that means a
 * built-in split, a card count outside 2..6, a value range outside 10..19 or one that cannot deal the forced card,
 * an unknown mapping name or face values outside 1..99, a target outside 1..999.
 */
export function gpSplitProblems(obj: Readonly<Record<string, unknown>>): GpSplitProblem[] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return [{ path: [], message: 'must be a split name or an object' }];
  const out: GpSplitProblem[] = [];
  for (const k of Object.keys(obj)) {
    if (!(FIELDS as readonly string[]).includes(k)) out.push({ path: [k], message: `is an unknown split field (fields: ${FIELDS.join(', ')})` });
  }
  if (typeof obj.name !== 'string' || obj.name.trim() === '') out.push({ path: ['name'], message: 'must be a non-empty string' });
  else {
    const builtIn = builtInGpSplit(obj.name.trim());
    if (builtIn !== undefined) out.push({ path: ['name'], message: `'${obj.name}' names the built-in split ${builtIn.name}; give your split a name of its own` });
  }
  const int = (v: unknown, lo: number, hi: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
  if (obj.cards !== undefined && !int(obj.cards, 2, 6)) out.push({ path: ['cards'], message: 'must be an integer from 2 to 6' });
  if (obj.target !== undefined && !int(obj.target, 1, TARGET_MAX)) out.push({ path: ['target'], message: `must be an integer from 1 to ${TARGET_MAX}` });
  const forced = obj.forced ?? 'none';
  if (forced !== 'face' && forced !== 'large' && forced !== 'none') out.push({ path: ['forced'], message: "must be 'face', 'large' or 'none'" });
  const maxCard = obj.maxCard ?? 13;
  if (!int(maxCard, 10, MAX_RANK)) out.push({ path: ['maxCard'], message: `must be an integer from 10 to ${MAX_RANK}` });
  else if (forced === 'face' && (maxCard as number) < 11) out.push({ path: ['maxCard'], message: "must be at least 11 to deal the forced face card (forced: 'face')" });
  else if (forced === 'large' && (maxCard as number) < 14) out.push({ path: ['maxCard'], message: "must be at least 14 to deal the forced large card (forced: 'large')" });
  for (const field of ['promptFaces', 'scoringFaces'] as const) {
    if (obj[field] !== undefined) out.push(...facesProblems(obj[field]).map((p) => ({ path: [field, ...p.path], message: p.message })));
  }
  return out;
}

function facesProblems(value: unknown): GpSplitProblem[] {
  if (typeof value === 'string') {
    return FACE_MAPPINGS[value] !== undefined || tryResolve(value) ? [] : [{ path: [], message: `names no face-card mapping ('${value}'; known: ${Object.keys(FACE_MAPPINGS).join(', ')})` }];
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [{ path: [], message: 'must be a mapping name or {J, Q, K}' }];
  const rec = value as Readonly<Record<string, unknown>>;
  const out: GpSplitProblem[] = [];
  for (const k of Object.keys(rec)) if (!['J', 'Q', 'K'].includes(k)) out.push({ path: [k], message: 'is not a face card (J, Q, K)' });
  for (const k of ['J', 'Q', 'K']) {
    const v = rec[k];
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= FACE_VALUE_MAX)) out.push({ path: [k], message: `must be an integer from 1 to ${FACE_VALUE_MAX}` });
  }
  return out;
}

function tryResolve(name: string): boolean {
  try {
    resolveFaceMapping(name);
    return true;
  } catch {
    return false;
  }
}

/** The mapping a faces field means; an inline `{J, Q, K}` that equals a named mapping keeps its own label. */
export function toFaceMapping(faces: FacesInput): FaceMapping {
  if (typeof faces === 'string') return resolveFaceMapping(faces);
  return Object.freeze({ name: `faces_${faces.J}_${faces.Q}_${faces.K}`, J: faces.J, Q: faces.Q, K: faces.K });
}

/** The split a checked object declares (throws the first problem when it has any). */
export function gpSplitFromObject(obj: GpSplitObject): GpSplit {
  const problem = gpSplitProblems(obj as unknown as Readonly<Record<string, unknown>>)[0];
  if (problem !== undefined) {
    const where = typeof obj.name === 'string' ? `'${obj.name}'` : '(unnamed)';
    throw new Error(`GP split ${where}: ${[problem.path.join('.'), problem.message].filter((x) => x !== '').join(' ')}`);
  }
  const promptMapping = toFaceMapping(obj.promptFaces ?? 'all_10');
  const scoringMapping = obj.scoringFaces === undefined ? promptMapping : toFaceMapping(obj.scoringFaces);
  const numCards = obj.cards ?? 4;
  const forced = obj.forced ?? 'none';
  const largestCard = obj.maxCard ?? 13;
  const target = obj.target ?? 24;
  const fake = scoringMapping.J !== promptMapping.J || scoringMapping.Q !== promptMapping.Q || scoringMapping.K !== promptMapping.K;
  return Object.freeze({
    name: obj.name.trim(),
    reference: obj.name.trim(),
    description:
      `user split: ${numCards} cards from A..${largestCard}, J/Q/K = ${promptMapping.J}/${promptMapping.Q}/${promptMapping.K}` +
      (fake ? ` (scored with ${scoringMapping.J}/${scoringMapping.Q}/${scoringMapping.K})` : '') +
      `, forced ${forced}, target ${target}`,
    numCards,
    promptMapping,
    scoringMapping,
    forced,
    largestCard,
    target,
  });
}
