# Sourced by .ci/run and ./demo: exports JAVA_HOME pointing at a JDK 25, or exits with a message.
weft_java_version() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(weft_java_version "$JAVA_HOME")" = "25" ]; then
  :
else
  found=""
  for d in /usr/lib/jvm/*25*; do
    if [ -x "$d/bin/java" ] && [ "$(weft_java_version "$d")" = "25" ]; then found="$d"; break; fi
  done
  if [ -z "$found" ]; then
    echo "Weft needs a JDK 25: set JAVA_HOME to one (none found under /usr/lib/jvm/*25*)." >&2
    exit 1
  fi
  export JAVA_HOME="$found"
fi
export PATH="$JAVA_HOME/bin:$PATH"
