// Element-wise square root, minimum and maximum of lane vectors of doubles for the batched
// fitter (Sources/Likelihood/Batch), and the test whether any lane of a comparison mask is set.
// Swift's SIMD squareRoot() is lowered to one libm call per lane (errno semantics); clang's
// element-wise builtins give one vector instruction (IEEE correctly rounded square root, as
// sqrtsd/sqrtpd), on any target. Swift's any(SIMDMask) reduces the mask lane by lane (a chain of
// shuffles and compares); clm_any8/4 take its sign bits in one instruction where the target has
// one (vpmovq2m with AVX-512DQ, vmovmskpd with AVX); clm_prefetch asks for a data set's cache
// lines ahead of its use. Header only: the functions are inlined into
// the Swift callers. The ext_vector_type types import as SIMD2/4/8<Double> and SIMD4/8<Int64>.
#ifndef CLANEMATH_H
#define CLANEMATH_H

typedef double clm_double2 __attribute__((ext_vector_type(2)));
typedef double clm_double4 __attribute__((ext_vector_type(4)));
typedef double clm_double8 __attribute__((ext_vector_type(8)));

typedef long long clm_long4 __attribute__((ext_vector_type(4)));
typedef long long clm_long8 __attribute__((ext_vector_type(8)));

#define CLM_INLINE static inline __attribute__((always_inline))

#if defined(__x86_64__) && (defined(__AVX__) || defined(__AVX512DQ__))
#include <immintrin.h>
#endif

/// Whether any lane of a mask (every lane 0 or all ones, as Swift's SIMDMask) is set.
CLM_INLINE int clm_any8(clm_long8 m) {
#if defined(__x86_64__) && defined(__AVX512DQ__)
  return _mm512_movepi64_mask((__m512i)m) != 0;
#elif defined(__x86_64__) && defined(__AVX__)
  clm_long4 lo = __builtin_shufflevector(m, m, 0, 1, 2, 3), hi = __builtin_shufflevector(m, m, 4, 5, 6, 7);
  return _mm256_movemask_pd(_mm256_castsi256_pd((__m256i)(lo | hi))) != 0;
#else
  return __builtin_reduce_or(m) != 0;
#endif
}

/// Asks for the `bytes` bytes from `p` in the cache (a data set the batched fitter loads next).
CLM_INLINE void clm_prefetch(const void *p, long bytes) {
  for (long k = 0; k < bytes; k += 64) __builtin_prefetch((const char *)p + k, 0, 3);
}

CLM_INLINE int clm_any4(clm_long4 m) {
#if defined(__x86_64__) && defined(__AVX__)
  return _mm256_movemask_pd(_mm256_castsi256_pd((__m256i)m)) != 0;
#else
  return __builtin_reduce_or(m) != 0;
#endif
}

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
