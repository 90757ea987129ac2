#!/usr/bin/env node
// Writes schemas/pipeline.schema.json from the built node library (npm run schema builds first): the pipeline
// structure plus every node kind's params, for editors (yaml-language-server reads the `# yaml-language-server:
// $schema=…` line at the top of each pipeline file). test/engine/pipeline-schema.test.ts checks it is up to date.
import { writeFileSync } from 'node:fs';
import { editorPipelineSchema } from '../dist/engine/pipeline-schema.js';
import { library } from '../dist/nodes/index.js';

const file = new URL('../schemas/pipeline.schema.json', import.meta.url);
writeFileSync(file, `${JSON.stringify(editorPipelineSchema(library.kinds), null, 2)}\n`);
console.log(`wrote schemas/pipeline.schema.json (${library.kinds.length} node kinds)`);
