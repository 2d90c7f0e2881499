# Turns migrations/NNNN_description.sql into a C++ table compiled into the library, so the
# binary carries its own schema and needs no files at run time.
file(GLOB files "${DIR}/*.sql")
list(SORT files)
set(body "")
foreach(f ${files})
  get_filename_component(name "${f}" NAME)
  file(READ "${f}" sql)
  string(REGEX MATCH "^[0-9]+" number "${name}")
  math(EXPR number "${number} + 0")
  set(body "${body}  {${number}, \"${name}\", R\"rankme_sql(${sql})rankme_sql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from migrations/*.sql by cmake/EmbedMigrations.cmake. Do not edit.\n#include <vector>\n\n#include \"rankme/store/migration.h\"\n\nnamespace rankme::store {\n\nconst std::vector<Migration>& EmbeddedMigrations() {\n  static const std::vector<Migration> migrations = {\n${body}  };\n  return migrations;\n}\n\n}  // namespace rankme::store\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
