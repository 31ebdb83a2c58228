#include "csentencepiece.h"
extern "C" int csp_placeholder(void) { return 0; }
