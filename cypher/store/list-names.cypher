// Every recorded name and the IRI it stands for.
MATCH (n:_StudioName)
RETURN n.kind AS kind, n.name AS name, n.iri AS iri
