// rdf-canonize ships no types; this covers what the tests use.
declare module 'rdf-canonize' {
  const canonize: {
    canonize(input: string, options: { algorithm: 'RDFC-1.0'; inputFormat: 'application/n-quads' }): Promise<string>;
  };
  export default canonize;
}
