#include <sqlite3.h>

/* SQLITE_TRANSIENT is a cast of -1 to a function pointer, a macro Swift cannot import:
   binding with it makes SQLite copy the value before the call returns. */
static inline sqlite3_destructor_type chaperone_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}
