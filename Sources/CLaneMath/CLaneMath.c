// The functions of include/CLaneMath.h are inline; this file gives the target an object.
#include "CLaneMath.h"
