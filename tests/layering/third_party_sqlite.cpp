// Deliberately bad: app uses SQLiteCpp, which belongs to store alone.
#include <SQLiteCpp/SQLiteCpp.h>
