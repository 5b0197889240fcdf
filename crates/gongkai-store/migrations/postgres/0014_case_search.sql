-- Case search (issue #19). Text is matched with strpos on PostgreSQL (no index); searching by handler:
CREATE INDEX applications_agency_handler ON applications (agency_id, handler_id);
