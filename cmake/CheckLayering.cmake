# Fails when a file includes against the module layering of DESIGN.md §4: a module includes only
# itself and the modules below it, never another module's src/ folder, and third-party headers
# only where that library belongs. Run by the build (target rankme_layering) over every file of
# src/ and include/, and by a test over deliberately bad files.
#
#   cmake -DSOURCE_DIR=<repo> -P cmake/CheckLayering.cmake
#   cmake -DSOURCE_DIR=<repo> -DCHECK_FILE=<file> -DAS_MODULE=<module> -P cmake/CheckLayering.cmake
#     (checks one file as if it belonged to <module>)

cmake_minimum_required(VERSION 3.22)

# Modules each module may include (besides itself and core, which every module may use).
set(allowed_io "")
set(allowed_metrics "")
set(allowed_discovery "")
set(allowed_store "")
set(allowed_ranking "")
set(allowed_report "")
set(allowed_app "io;metrics;discovery;store;ranking;report")
# The command line and the Python module call app; no SQL (store) and no matrix code of their own.
set(allowed_cli "app;io;metrics;discovery;ranking;report")
set(allowed_python "app;io;metrics;discovery;ranking;report")
set(allowed_core "")

# Third-party headers (the first path component or file name of a <...> include) and the only
# modules that may include them. Headers of the C and C++ standard libraries and POSIX are free.
set(owner_Eigen "metrics")
set(owner_cblas.h "metrics")
set(owner_lapacke.h "metrics")
set(owner_SQLiteCpp "store")
set(owner_sqlite3.h "store")
set(owner_yaml-cpp "discovery")
set(owner_zip.h "io")
set(owner_zlib.h "io")
set(owner_xxhash.h "io;discovery")
set(owner_nlohmann "io;discovery;store;app;cli;python")
set(owner_CLI "cli")
set(owner_pybind11 "python")
set(owner_Python.h "python")
set(owner_fmt "core;io;metrics;discovery;store;ranking;report;app;cli;python")

set(violations "")

function(check_file file module)
  file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
  set(allowed "${module};core;${allowed_${module}}")
  list(REMOVE_ITEM allowed "")
  list(JOIN allowed ", " allowed_text)
  foreach(line IN LISTS lines)
    if(line MATCHES "#[ \t]*include[ \t]*\"(rankme/)?([a-z_]+)/([^\"]+)\"")
      set(public "${CMAKE_MATCH_1}")
      set(target "${CMAKE_MATCH_2}")
      if(NOT target IN_LIST allowed)
        list(APPEND violations "${file}: ${module} includes ${target} (${line}); ${module} may include: ${allowed_text}")
      elseif(public STREQUAL "" AND NOT target STREQUAL module)
        list(APPEND violations "${file}: ${module} reaches into src/${target}/ (${line}); use include/rankme/${target}/")
      endif()
    elseif(line MATCHES "#[ \t]*include[ \t]*<([^/>]+)")
      set(library "${CMAKE_MATCH_1}")
      if(DEFINED owner_${library} AND NOT module IN_LIST owner_${library})
        list(JOIN owner_${library} ", " owners)
        list(APPEND violations "${file}: ${module} includes <${library}...>, which belongs to: ${owners}")
      endif()
    endif()
  endforeach()
  set(violations "${violations}" PARENT_SCOPE)
endfunction()

if(DEFINED CHECK_FILE)
  check_file("${CHECK_FILE}" "${AS_MODULE}")
else()
  file(GLOB_RECURSE files "${SOURCE_DIR}/src/*.cpp" "${SOURCE_DIR}/src/*.h"
       "${SOURCE_DIR}/include/rankme/*.h" "${SOURCE_DIR}/python/src/*.cpp"
       "${SOURCE_DIR}/python/src/*.h")
  foreach(file IN LISTS files)
    file(RELATIVE_PATH relative "${SOURCE_DIR}" "${file}")
    if(relative MATCHES "^(src|include/rankme)/([a-z_]+)/")
      check_file("${file}" "${CMAKE_MATCH_2}")
    elseif(relative MATCHES "^python/")
      check_file("${file}" "python")
    elseif(relative STREQUAL "src/main.cpp")
      check_file("${file}" "cli")
    endif()
  endforeach()
endif()

if(violations)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "layering (DESIGN.md §4) broken:\n  ${text}")
endif()
