// Deliberately bad: app reaches into discovery's src/ folder for a private header.
#include "discovery/config_internal.h"
