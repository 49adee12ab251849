"""The sharing half of the catalogue (DB14 §8–§11): who gets an entry's data, and the flows that
grant it — access requests and their authorizations, demands, collection requests, disputes,
quality complaints and security records. The tables are :mod:`.flows` (pure); the writes are
the flow services (:mod:`.cases` and one module per flow)."""
