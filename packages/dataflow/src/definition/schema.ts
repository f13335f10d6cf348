// JSON Schema (draft-07) of a graph definition: Azure's ConfigGraph.json plus `metadata` and
// parameter defaults. Closed objects except where Azure leaves them open (module configurations
// and parameter declarations). Graph rules (names, arms, cycles) are checked in code, not here.

const nullableString = { type: ['string', 'null'] } as const;

export const GRAPH_DEFINITION_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://eddy.dev/schemas/dataflow-graph-definition.json',
  title: 'Dataflow graph definition',
  type: 'object',
  required: ['metadata', 'moduleRequirements', 'operations', 'connections'],
  additionalProperties: false,
  properties: {
    metadata: {
      type: 'object',
      required: ['name', 'version'],
      additionalProperties: false,
      properties: {
        $schema: { type: 'string' },
        name: { type: 'string', minLength: 1 },
        description: { type: 'string' },
        version: { type: 'string', minLength: 1 },
        vendor: { type: 'string' },
      },
    },
    moduleRequirements: {
      type: 'object',
      required: ['apiVersion'],
      additionalProperties: false,
      properties: {
        apiVersion: { type: 'string' },
        runtimeVersion: { type: 'string' },
        hostlibVersion: { type: 'string' },
        features: {
          type: ['array', 'null'],
          items: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: { name: { type: 'string' }, value: nullableString },
          },
        },
      },
    },
    moduleConfigurations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'parameters'],
        properties: {
          name: { type: 'string' },
          parameters: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              required: ['name'],
              properties: {
                name: { type: 'string', minLength: 1 },
                description: nullableString,
                default: { type: 'string' },
                required: { type: 'boolean' },
              },
            },
          },
        },
      },
    },
    operations: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['operationType', 'name'],
        additionalProperties: false,
        properties: {
          operationType: { enum: ['source', 'sink', 'map', 'filter', 'branch', 'accumulate', 'concatenate', 'delay'] },
          name: { type: 'string', minLength: 1 },
          module: nullableString,
        },
      },
    },
    connections: {
      type: 'array',
      items: {
        type: 'object',
        required: ['from', 'to'],
        additionalProperties: false,
        properties: {
          from: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: {
              name: { type: 'string' },
              arm: { enum: ['True', 'False', null] },
              schemaName: nullableString,
            },
          },
          to: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: { name: { type: 'string' } },
          },
        },
      },
    },
    schemas: {
      type: 'array',
      items: {
        type: 'object',
        required: ['format', 'name', 'schema'],
        properties: { format: { type: 'string' }, name: { type: 'string' }, schema: { type: 'string' } },
      },
    },
  },
} as const;
