-- An Idempotency-Key's claim is a lease its request renews while it runs (issue 28): a
-- request cut off (client gone, process killed) stops renewing, and a retry takes the key
-- over once the lease has run out instead of waiting for a day. NULL: a claim made before
-- leases, taken over at once.
ALTER TABLE api_idempotency ADD COLUMN lease_until INTEGER;
