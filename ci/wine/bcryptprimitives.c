/* A stand-in for Windows' bcryptprimitives.dll, which Debian 12's wine (8.0) lacks: Go
 * programs (1.21 and newer) load it at start for ProcessPrng, their random source, and stop
 * without it. Installed into the test wine prefix only (ci/windows_wine.sh); every Windows
 * since 10 has the real one. Same contract: fill the buffer with random bytes, TRUE. */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
