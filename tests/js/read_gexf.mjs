// Reads a GEXF file with graphology-gexf (the parser Gephi Lite uses) and prints what it understood as JSON:
// graph type, node and edge counts, and every node and edge with its attributes. Used by tests/test_gexf.py.
//
//   node tests/js/read_gexf.mjs FILE.gexf
//
// Any XML warning or error from the DOM parser fails the run (exit 1), as does a parser exception.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { MultiGraph } = require('graphology');
const gexf = require('graphology-gexf');
const { DOMParser } = require('@xmldom/xmldom');

const file = process.argv[2];
if (!file) {
  console.error('usage: node read_gexf.mjs FILE.gexf');
  process.exit(2);
}

const problems = [];
const report = (level) => (message) => problems.push(`${level}: ${message}`);
const doc = new DOMParser({
  errorHandler: { warning: report('warning'), error: report('error'), fatalError: report('fatal') },
}).parseFromString(readFileSync(file, 'utf8'), 'application/xml');
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}

// MultiGraph: two relations between the same two entities are two edges; the parser sets the type
// (directed) from the file.
const graph = gexf.parse(MultiGraph, doc);
const exported = graph.export();
console.log(
  JSON.stringify({
    type: graph.type,
    multi: graph.multi,
    order: graph.order,
    size: graph.size,
    meta: graph.getAttributes(),
    nodes: exported.nodes,
    edges: exported.edges,
  }),
);
