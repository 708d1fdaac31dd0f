import { buildSchema, OperationDefinitionNode, parse } from 'graphql';
import { operationLabel } from './graphql-metrics.plugin.js';

const schema = buildSchema(`type Query { aggregate: Int, datasets: Int } type Mutation { createApiKey: Int }`);
const label = (text: string) => operationLabel(schema, parse(text).definitions[0] as OperationDefinitionNode);

describe(operationLabel.name, () => {
  it('names the one root field an operation asks for, however often', () => {
    expect(label('{ aggregate }')).toBe('aggregate');
    expect(label('{ a: aggregate b: aggregate }')).toBe('aggregate');
    expect(label('mutation { createApiKey }')).toBe('createApiKey');
    expect(label('{ __typename }')).toBe('__typename');
    expect(label('{ __schema { types { name } } }')).toBe('__schema');
  });

  it('says multiple for several root fields, other for fragments and unknown fields', () => {
    expect(label('{ aggregate datasets }')).toBe('multiple');
    expect(label('{ aggregate ...F } fragment F on Query { datasets }')).toBe('multiple');
    expect(label('{ ...F } fragment F on Query { datasets }')).toBe('other');
    expect(label('{ nope }')).toBe('other');
    expect(label('mutation { aggregate }')).toBe('other');
  });
});
