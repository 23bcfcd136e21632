// The GSL headers ZPrimeToys uses. Only the GSL module imports CGSL.
#ifndef ZPRIMETOYS_CGSL_SHIM_H
#define ZPRIMETOYS_CGSL_SHIM_H
/* GSL then defines gsl_rng_uniform & co. as inline functions, which Swift inlines too. */
#ifndef HAVE_INLINE
#define HAVE_INLINE 1
#endif
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_log.h>
#include <gsl/gsl_monte.h>
#include <gsl/gsl_monte_vegas.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_interp.h>
#include <gsl/gsl_spline.h>
#include <gsl/gsl_histogram2d.h>

/* The state layout of gsl_rng_mt19937 (gsl/rng/mt.c), so that a stream can be seeded with a
   full 64-bit key instead of gsl_rng_set's 32 bits. */
typedef struct {
  unsigned long mt[624];
  int mti;
} zpt_mt19937_state;

/* GSL's generator and solver types are global C pointers, which Swift 6 sees as shared mutable
   state; these accessors return them by value (they are never written after load). */
static inline const gsl_rng_type *zpt_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_root_fsolver_type *zpt_root_fsolver_brent(void) { return gsl_root_fsolver_brent; }

#endif
