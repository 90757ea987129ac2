/**
 * The pipeline file's own structure (name, seed, store, nodes with kind, params, inputs, outputs, matrix, resources)
 * as a JSON Schema the loader validates against, and the editor schema generated from it and a node library:
 * `schemas/pipeline.schema.json` (`npm run schema`), which also knows every kind's params from their declarations, so
 * an editor flags `kind: train.stf`, an unknown param or a wrongly typed value as it is typed. The loader checks
 * params against each kind itself (with located errors), so its schema leaves them open.
 */
import type { JsonSchema, NodeKind } from './node-kind.js';

/** The structure the loader validates. */
export const pipelineStructureSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://github.com/pipe/pipe/schemas/pipeline.schema.json",
  "title": "pipe pipeline",
  "description": "A DAG of nodes; each node's outputs are cached by a content hash of its kind, code, params, inputs and seed.",
  "type": "object",
  "required": [
    "name",
    "nodes"
  ],
  "additionalProperties": false,
  "properties": {
    "name": {
      "description": "Pipeline name (groups runs in the store).",
      "type": "string",
      "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$"
    },
    "description": {
      "type": "string"
    },
    "seed": {
      "description": "Pipeline seed; every node's seed is derived from it, the node id and the params.",
      "type": "integer",
      "minimum": 0,
      "maximum": 4294967295
    },
    "store": {
      "description": "Store directory, relative to this file (default: artifacts/ beside it).",
      "type": "string",
      "minLength": 1
    },
    "nodes": {
      "type": "object",
      "minProperties": 1,
      "propertyNames": {
        "pattern": "^[A-Za-z_][A-Za-z0-9_-]*$"
      },
      "additionalProperties": {
        "$ref": "#/$defs/node"
      }
    }
  },
  "$defs": {
    "node": {
      "type": "object",
      "required": [
        "kind"
      ],
      "additionalProperties": false,
      "properties": {
        "kind": {
          "description": "Node kind (see `pipe ls --kinds`).",
          "type": "string",
          "minLength": 1
        },
        "description": {
          "type": "string"
        },
        "params": {
          "description": "Validated against the kind's own params schema.",
          "type": "object"
        },
        "inputs": {
          "description": "Input name -> \"<node>.<output>\"; \"<node>[*].<output>\" gathers the output of every matrix instance of <node> into one directory (entries named by their axis values, e.g. seed=1). A node that takes a plain reference to a matrixed node is expanded along the same axes.",
          "type": "object",
          "propertyNames": {
            "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"
          },
          "additionalProperties": {
            "type": "string"
          }
        },
        "outputs": {
          "description": "Output names, for kinds that let the pipeline declare them (e.g. exec).",
          "type": "array",
          "uniqueItems": true,
          "items": {
            "type": "string"
          }
        },
        "matrix": {
          "description": "Param path -> list of values: one node instance per combination, with ids like `train[seed=1]`. Dependents follow the same axes (axes with the same name are aligned, not crossed).",
          "type": "object",
          "minProperties": 1,
          "additionalProperties": {
            "type": "array",
            "minItems": 1
          }
        },
        "priority": {
          "description": "Who goes first (higher first; default 0): waiting nodes start by priority, a node's inputs inherit it, and on this machine a node above 0 holds its slots back from lower-priority nodes until it starts, so a wide pipeline's long chains are not stuck behind whatever was ready first. A worker pool orders its queues by it; SLURM orders batch jobs itself. Not part of the cache key.",
          "type": "integer",
          "minimum": -100,
          "maximum": 100
        },
        "resources": {
          "description": "What the node needs while running (overrides the kind's): cpu and gpu slots; mem and time limits for SLURM jobs (--mem, --time).",
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "cpu": {
              "type": "integer",
              "minimum": 0
            },
            "gpu": {
              "type": "integer",
              "minimum": 0
            },
            "mem": {
              "description": "Memory, as SLURM writes it: 4G, 512M (a bare number is megabytes).",
              "type": "string",
              "pattern": "^[1-9][0-9]*[KMGT]?$"
            },
            "time": {
              "description": "Wall-time limit: minutes, or a duration such as 90m, 2h, 1d12h.",
              "type": [
                "integer",
                "string"
              ],
              "minimum": 1,
              "pattern": "^(?=[0-9])([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$"
            }
          }
        }
      }
    }
  }
} as const;

/** The JSON Schema for editors: the structure, with `kind` one of `kinds` and each kind's params (and input names). */
export function editorPipelineSchema(kinds: readonly NodeKind[]): JsonSchema {
  const sorted = [...kinds].sort((a, b) => (a.kind < b.kind ? -1 : 1));
  const node = pipelineStructureSchema.$defs.node;
  return {
    ...pipelineStructureSchema,
    $defs: {
      node: {
        ...node,
        properties: {
          ...node.properties,
          kind: { ...node.properties.kind, enum: sorted.map((k) => k.kind) },
        },
        allOf: sorted.map((k) => ({
          if: { properties: { kind: { const: k.kind } }, required: ['kind'] },
          then: {
            description: k.description,
            properties: {
              params: { ...forEditors(k.params), description: `Params of ${k.kind} (pipe ls --kinds ${k.kind}).` },
              ...(k.inputs === '*' ? {} : { inputs: k.inputs.length === 0 ? { maxProperties: 0 } : { propertyNames: { enum: [...k.inputs] } } }),
            },
          },
        })),
      },
    },
  };
}

/** A params schema as plain JSON without the loader's own keywords (`defaultInKey`). */
function forEditors(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema, (k, v: unknown) => (k === 'defaultInKey' ? undefined : v))) as JsonSchema;
}
