#ifndef HQ_CPOSTGRES_SHIM_H
#define HQ_CPOSTGRES_SHIM_H
#include <libpq-fe.h>
#endif
