/*
 * streamvec's MKL dispatch shim (libstreamvec-mkl-dispatch.so).
 *
 * DJL's libtorch_cpu.so links Intel oneMKL statically and multiplies fp32 matrices with it. MKL chooses
 * its kernels by CPU vendor before features: on an AMD CPU it runs its AVX2 code even when the CPU has
 * AVX-512 (Zen 4, Zen 5), about half the speed there. libtorch_cpu.so asks "is this an Intel CPU?" through
 * its PLT (mkl_serv_intel_cpu and mkl_serv_intel_cpu_true; both must agree, or MKL falls back to SSE2),
 * so these definitions, loaded RTLD_GLOBAL before PyTorch's first matrix product, answers for it;
 * MKL then picks its kernels from the CPU's feature flags as it does on Intel. streamvec loads it only on
 * AMD CPUs that report AVX-512 F/BW/DQ/VL (see io.streamvec.text.NativeTuning; embedding.native.tuning=false
 * turns it off).
 */
int mkl_serv_intel_cpu(void) {
    return 1;
}

int mkl_serv_intel_cpu_true(void) {
    return 1;
}
