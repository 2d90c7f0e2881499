// Deliberately bad: metrics (a low module) includes app (the top). The layering check must fail.
#include "rankme/app/ingest.h"
