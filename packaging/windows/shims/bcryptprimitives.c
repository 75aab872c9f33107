/* Wine 8 has no bcryptprimitives.dll; Rust's std (cryptography, pydantic-core wheels) imports ProcessPrng from
 * it since Rust 1.78. Windows' own ProcessPrng fills the buffer from the system RNG and always succeeds: so
 * does this one, over advapi32's RtlGenRandom (SystemFunction036). For tests under Wine only, never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
