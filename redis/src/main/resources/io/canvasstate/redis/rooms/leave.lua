-- Removes a connection. ARGV[2] = <userId>:<connectionId>. Returns 1 if it was live, else 0.
prune()
return drop(ARGV[2], false)
