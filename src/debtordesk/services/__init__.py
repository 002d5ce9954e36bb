"""Use cases. Each public function does one unit of work on the Session it is given; the caller
commits or rolls back (see db.engine.Database.transaction)."""
