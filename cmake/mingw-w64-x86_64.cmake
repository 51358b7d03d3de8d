# CMake toolchain file: cross-build pooltriage-collect for 64-bit Windows with
# mingw-w64 (Debian's gcc-mingw-w64-x86-64), linked statically so that the .exe
# runs on a customer's server with nothing installed (system DLLs only).
#
#   cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake \
#         -DPT_MINGW_PREFIX=$PWD/build-win/deps/prefix -DPT_COLLECTOR_ONLY=ON
#
# PT_MINGW_PREFIX is where .ci/build-windows.sh installs the mingw builds of
# third-party libraries (Zydis, with a CMake package config); zlib comes from
# Debian's libz-mingw-w64-dev in the mingw sysroot.

set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(PT_MINGW_TRIPLE x86_64-w64-mingw32)

set(CMAKE_C_COMPILER ${PT_MINGW_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${PT_MINGW_TRIPLE}-g++)
set(CMAKE_RC_COMPILER ${PT_MINGW_TRIPLE}-windres)
set(CMAKE_AR ${PT_MINGW_TRIPLE}-ar CACHE FILEPATH "mingw ar")
set(CMAKE_RANLIB ${PT_MINGW_TRIPLE}-ranlib CACHE FILEPATH "mingw ranlib")

# The toolchain file is re-read by every try_compile, where cache variables
# are not visible: take the prefix from the environment too, and pass it on.
if(NOT PT_MINGW_PREFIX AND DEFINED ENV{PT_MINGW_PREFIX})
  set(PT_MINGW_PREFIX "$ENV{PT_MINGW_PREFIX}")
endif()
set(PT_MINGW_SYSROOT /usr/${PT_MINGW_TRIPLE})
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES PT_MINGW_PREFIX)

# Look for headers, libraries and package configs only in the mingw sysroot
# and our prefix, never in the host's /usr (a Linux libz.so or Zydis config
# would link but not run); programs are host programs.
set(CMAKE_FIND_ROOT_PATH ${PT_MINGW_SYSROOT})
if(PT_MINGW_PREFIX)
  list(APPEND CMAKE_FIND_ROOT_PATH ${PT_MINGW_PREFIX})
  list(APPEND CMAKE_PREFIX_PATH ${PT_MINGW_PREFIX})
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# zlib: the static libz.a, not the import library of zlib1.dll.
set(ZLIB_USE_STATIC_LIBS ON)

# C99 printf/scanf (%zu, %lld, PRIu64 as "llu") from mingw-w64's own stdio
# instead of msvcrt's; Windows 7 / Server 2008 R2 API level, the oldest
# system a customer is expected to run the collector on.
set(CMAKE_C_FLAGS_INIT "-D__USE_MINGW_ANSI_STDIO=1 -D_WIN32_WINNT=0x0601")
# No libgcc_s_seh-1.dll / libwinpthread-1.dll next to the .exe: link the
# compiler runtime statically; only Windows' own DLLs remain imported.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc")

# try_run and ctest run Windows programs through wine when it is installed.
find_program(PT_WINE64 NAMES wine64 wine PATHS /usr/lib/wine NO_DEFAULT_PATH)
if(NOT PT_WINE64)
  find_program(PT_WINE64 NAMES wine64 wine)
endif()
if(PT_WINE64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${PT_WINE64})
endif()
