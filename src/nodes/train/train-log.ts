/**
 * The training log every trainer writes beside its checkpoint (`train-log.jsonl` in the `model` output): one JSON
 * object per logged step. The report draws its curves from it, so curves travel with the model they describe.
 */
export const TRAIN_LOG_FILE = 'train-log.jsonl';

/**
 * One logged step. Absent fields were not measured at that step (e.g. val_loss only every eval interval). Only
 * deterministic values belong here (the log is part of the model output); wall-clock figures go to metrics.
 */
export interface TrainLogRow {
  readonly step: number;
  readonly loss?: number;
  readonly val_loss?: number;
  readonly lr?: number;
  readonly grad_norm?: number;
  readonly reward?: number;
}

/** Parses a train log, skipping a torn last line (a killed writer) but failing on corruption elsewhere. */
export function parseTrainLog(text: string, source: string): TrainLogRow[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const rows: TrainLogRow[] = [];
  lines.forEach((line, i) => {
    try {
      rows.push(JSON.parse(line) as TrainLogRow);
    } catch (cause) {
      if (i !== lines.length - 1) throw new Error(`${source}:${i + 1}: not a JSON line`, { cause });
    }
  });
  return rows;
}
