// Element-wise square root, minimum and maximum of lane vectors of doubles for the batched
// fitter (Sources/Likelihood/Batch). Swift's SIMD squareRoot() is lowered to one libm call per
// lane (errno semantics); clang's element-wise builtins give one vector instruction (IEEE
// correctly rounded square root, as sqrtsd/sqrtpd), on any target. Header only: the functions
// are inlined into the Swift callers. The ext_vector_type types import as SIMD2/4/8<Double>.
#ifndef CLANEMATH_H
#define CLANEMATH_H

typedef double clm_double2 __attribute__((ext_vector_type(2)));
typedef double clm_double4 __attribute__((ext_vector_type(4)));
typedef double clm_double8 __attribute__((ext_vector_type(8)));

#define CLM_INLINE static inline __attribute__((always_inline))

CLM_INLINE clm_double2 clm_sqrt2(clm_double2 x) { return __builtin_elementwise_sqrt(x); }
CLM_INLINE clm_double4 clm_sqrt4(clm_double4 x) { return __builtin_elementwise_sqrt(x); }
CLM_INLINE clm_double8 clm_sqrt8(clm_double8 x) { return __builtin_elementwise_sqrt(x); }
CLM_INLINE double clm_sqrt1(double x) { return __builtin_elementwise_sqrt(x); }

CLM_INLINE clm_double2 clm_min2(clm_double2 a, clm_double2 b) { return __builtin_elementwise_min(a, b); }
CLM_INLINE clm_double4 clm_min4(clm_double4 a, clm_double4 b) { return __builtin_elementwise_min(a, b); }
CLM_INLINE clm_double8 clm_min8(clm_double8 a, clm_double8 b) { return __builtin_elementwise_min(a, b); }
CLM_INLINE clm_double2 clm_max2(clm_double2 a, clm_double2 b) { return __builtin_elementwise_max(a, b); }
CLM_INLINE clm_double4 clm_max4(clm_double4 a, clm_double4 b) { return __builtin_elementwise_max(a, b); }
CLM_INLINE clm_double8 clm_max8(clm_double8 a, clm_double8 b) { return __builtin_elementwise_max(a, b); }

#endif
