/*
 * ProcessPrng for Wine 8 (Debian 12), which lacks bcryptprimitives.dll: Go's runtime loads it at
 * start on Windows. ./dev test builds this into the Wine prefix in which it runs storage's tests
 * of a file another program holds open. It asks bcrypt's generator, as Windows' own does.
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	return BCryptGenRandom(NULL, data, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0;
}
