-- Drops what ended, publishing a left for each: run before every read, and by the sweep of
-- instances with listeners. Returns 0.
prune()
return 0
