// Records the IRI behind each label, property key and relationship type used.
UNWIND $rows AS row
MERGE (n:_StudioName {key: row.kind + ' ' + row.name})
SET n.kind = row.kind, n.name = row.name, n.iri = row.iri
