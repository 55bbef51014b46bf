// Runscope's script environment, as its documentation ("Script Engine") describes it, set up
// before each script: `variables.get/set`, `log` and `console.log`, `request` (every script),
// `response` (response scripts), and the `assert` of Chai's assertion library, written here in
// Chai's style (its function names, its "expected ... to ..." messages). scimplan's own code.
// The input comes as JSON in `__scimplan_input`; `__scimplan_output()` gives back what the
// script set and logged, and the request as a before-request script left it.
(function (global) {
  "use strict";
  var input = JSON.parse(global.__scimplan_input);
  delete global.__scimplan_input;
  var values = input.variables;
  var set = {};
  var lines = [];
  var own = Object.prototype.hasOwnProperty;

  // How a value is shown in a message: strings quoted, the rest as JavaScript would print it.
  function show(value, depth) {
    depth = depth || 0;
    if (typeof value === "string") return "'" + value + "'";
    if (value === undefined) return "undefined";
    if (value === null) return "null";
    if (typeof value === "function") return "[Function" + (value.name ? ": " + value.name : "") + "]";
    if (typeof value !== "object") return String(value);
    if (value instanceof RegExp) return String(value);
    if (value instanceof Date) return value.toISOString();
    if (depth > 2) return Array.isArray(value) ? "[Array]" : "[Object]";
    if (Array.isArray(value)) {
      if (value.length === 0) return "[]";
      return "[ " + value.map(function (v) { return show(v, depth + 1); }).join(", ") + " ]";
    }
    var keys = Object.keys(value);
    if (keys.length === 0) return "{}";
    return "{ " + keys.map(function (k) { return k + ": " + show(value[k], depth + 1); }).join(", ") + " }";
  }

  // What `log` writes: strings as they are, everything else as shown.
  function text(value) {
    return typeof value === "string" ? value : show(value);
  }

  global.variables = Object.freeze({
    get: function (name) {
      var key = String(name);
      return own.call(values, key) ? values[key] : undefined;
    },
    set: function (name, value) {
      var key = String(name);
      var stored = String(value);
      values[key] = stored;
      set[key] = stored;
    }
  });

  function log() {
    lines.push(Array.prototype.map.call(arguments, text).join(" "));
  }
  global.log = log;
  global.console = Object.freeze({ log: log, info: log, warn: log, error: log, debug: log });

  // Headers as Runscope gives them: a name maps to the list of its values. Names are found
  // whatever their case (HTTP names are case-insensitive; the answer's come lower-cased).
  function headers(pairs) {
    var map = {};
    pairs.forEach(function (pair) {
      if (!own.call(map, pair[0])) map[pair[0]] = [];
      map[pair[0]].push(pair[1]);
    });
    return new Proxy(map, {
      get: function (target, key) {
        if (typeof key !== "string" || own.call(target, key)) return target[key];
        var lower = key.toLowerCase();
        var found = Object.keys(target).filter(function (k) { return k.toLowerCase() === lower; })[0];
        return found === undefined ? target[key] : target[found];
      },
      has: function (target, key) {
        if (typeof key !== "string") return key in target;
        var lower = key.toLowerCase();
        return Object.keys(target).some(function (k) { return k.toLowerCase() === lower; }) || key in target;
      }
    });
  }

  function plainHeaders(map) {
    var pairs = [];
    Object.keys(map).forEach(function (name) {
      var list = map[name];
      if (!Array.isArray(list)) list = [list];
      list.forEach(function (v) { pairs.push([name, String(v)]); });
    });
    return pairs;
  }

  var request = null;
  if (input.request) {
    var r = input.request;
    request = {
      body: r.body,
      form: {},
      headers: headers(r.headers),
      host: r.host,
      method: r.method,
      params: r.params.reduce(function (map, pair) { map[pair[0]] = pair[1]; return map; }, {}),
      path: r.path,
      scheme: r.scheme,
      size_bytes: r.size_bytes,
      url: r.url
    };
    global.request = request;
  }
  if (input.response) {
    var a = input.response;
    global.response = Object.freeze({
      body: a.body,
      headers: headers(a.headers),
      reason: a.reason,
      response_time_ms: a.response_time_ms,
      size_bytes: a.size_bytes,
      status: a.status
    });
  }

  // Chai's assert.
  function AssertionError(message) {
    var error = new Error(message);
    this.name = "AssertionError";
    this.message = message;
    this.stack = error.stack;
  }
  AssertionError.prototype = Object.create(Error.prototype);
  AssertionError.prototype.constructor = AssertionError;
  AssertionError.prototype.name = "AssertionError";

  function check(ok, message, said) {
    if (!ok) {
      throw new AssertionError(message === undefined || message === null || message === ""
        ? said : message + ": " + said);
    }
  }

  function deepEqual(a, b) {
    if (a === b) return a !== 0 || 1 / a === 1 / b;
    if (typeof a === "number" && typeof b === "number") return a !== a && b !== b;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    if (a instanceof Date) return a.getTime() === b.getTime();
    if (a instanceof RegExp) return String(a) === String(b);
    if (Array.isArray(a)) {
      if (a.length !== b.length) return false;
      for (var i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
      return true;
    }
    var ka = Object.keys(a).sort();
    var kb = Object.keys(b).sort();
    if (!deepEqual(ka, kb)) return false;
    for (var j = 0; j < ka.length; j++) if (!deepEqual(a[ka[j]], b[ka[j]])) return false;
    return true;
  }

  function typeName(value) {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    if (value instanceof RegExp) return "regexp";
    if (value instanceof Date) return "date";
    return typeof value;
  }

  function article(name) {
    return (/^[aeiou]/.test(name) ? "an " : "a ") + name;
  }

  function includes(haystack, needle) {
    if (typeof haystack === "string") return haystack.indexOf(needle) !== -1;
    if (Array.isArray(haystack)) return haystack.some(function (v) { return v === needle; });
    if (haystack && typeof haystack === "object" && needle && typeof needle === "object") {
      return Object.keys(needle).every(function (k) { return deepEqual(haystack[k], needle[k]); });
    }
    return false;
  }

  function lengthOf(value) {
    if (value === null || value === undefined) return undefined;
    if (value instanceof Map || value instanceof Set) return value.size;
    return value.length;
  }

  function isEmpty(value) {
    if (typeof value === "string" || Array.isArray(value)) return value.length === 0;
    if (value instanceof Map || value instanceof Set) return value.size === 0;
    if (value && typeof value === "object") return Object.keys(value).length === 0;
    throw new TypeError(show(value) + " is not a string, array, map, set or object");
  }

  function sameMembers(a, b) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    var rest = b.slice();
    return a.every(function (v) {
      var i = rest.indexOf(v);
      if (i === -1) return false;
      rest.splice(i, 1);
      return true;
    });
  }

  var assert = function (expression, message) {
    check(expression, undefined, message === undefined ? "Unspecified AssertionError" : String(message));
  };
  assert.fail = function (actual, expected, message) {
    if (arguments.length < 2) throw new AssertionError(actual === undefined ? "assert.fail()" : String(actual));
    throw new AssertionError(message === undefined ? "expected " + show(actual) + " to not equal " + show(expected) : String(message));
  };
  assert.ok = assert.isOk = function (v, m) { check(v, m, "expected " + show(v) + " to be truthy"); };
  assert.notOk = assert.isNotOk = function (v, m) { check(!v, m, "expected " + show(v) + " to be falsy"); };
  assert.equal = function (a, e, m) { check(a == e, m, "expected " + show(a) + " to equal " + show(e)); };
  assert.notEqual = function (a, e, m) { check(a != e, m, "expected " + show(a) + " to not equal " + show(e)); };
  assert.strictEqual = function (a, e, m) { check(a === e, m, "expected " + show(a) + " to equal " + show(e)); };
  assert.notStrictEqual = function (a, e, m) { check(a !== e, m, "expected " + show(a) + " to not equal " + show(e)); };
  assert.deepEqual = assert.deepStrictEqual = function (a, e, m) { check(deepEqual(a, e), m, "expected " + show(a) + " to deeply equal " + show(e)); };
  assert.notDeepEqual = function (a, e, m) { check(!deepEqual(a, e), m, "expected " + show(a) + " to not deeply equal " + show(e)); };
  assert.isTrue = function (v, m) { check(v === true, m, "expected " + show(v) + " to be true"); };
  assert.isNotTrue = function (v, m) { check(v !== true, m, "expected " + show(v) + " to not be true"); };
  assert.isFalse = function (v, m) { check(v === false, m, "expected " + show(v) + " to be false"); };
  assert.isNotFalse = function (v, m) { check(v !== false, m, "expected " + show(v) + " to not be false"); };
  assert.isNull = function (v, m) { check(v === null, m, "expected " + show(v) + " to equal null"); };
  assert.isNotNull = function (v, m) { check(v !== null, m, "expected " + show(v) + " to not equal null"); };
  assert.isUndefined = function (v, m) { check(v === undefined, m, "expected " + show(v) + " to equal undefined"); };
  assert.isDefined = function (v, m) { check(v !== undefined, m, "expected " + show(v) + " to not equal undefined"); };
  assert.exists = function (v, m) { check(v !== null && v !== undefined, m, "expected " + show(v) + " to exist"); };
  assert.notExists = function (v, m) { check(v === null || v === undefined, m, "expected " + show(v) + " to not exist"); };
  assert.isNaN = function (v, m) { check(typeof v === "number" && v !== v, m, "expected " + show(v) + " to be NaN"); };
  assert.isNotNaN = function (v, m) { check(!(typeof v === "number" && v !== v), m, "expected " + show(v) + " not to be NaN"); };
  assert.isFinite = function (v, m) { check(typeof v === "number" && isFinite(v), m, "expected " + show(v) + " to be a finite number"); };
  [["Function", "function"], ["Object", "object"], ["Array", "array"], ["String", "string"],
   ["Number", "number"], ["Boolean", "boolean"]].forEach(function (kind) {
    assert["is" + kind[0]] = function (v, m) {
      check(typeName(v) === kind[1], m, "expected " + show(v) + " to be " + article(kind[1]));
    };
    assert["isNot" + kind[0]] = function (v, m) {
      check(typeName(v) !== kind[1], m, "expected " + show(v) + " not to be " + article(kind[1]));
    };
  });
  assert.typeOf = function (v, t, m) { check(typeName(v) === String(t).toLowerCase(), m, "expected " + show(v) + " to be " + article(String(t).toLowerCase())); };
  assert.notTypeOf = function (v, t, m) { check(typeName(v) !== String(t).toLowerCase(), m, "expected " + show(v) + " not to be " + article(String(t).toLowerCase())); };
  assert.instanceOf = function (v, c, m) { check(v instanceof c, m, "expected " + show(v) + " to be an instance of " + (c && c.name)); };
  assert.notInstanceOf = function (v, c, m) { check(!(v instanceof c), m, "expected " + show(v) + " to not be an instance of " + (c && c.name)); };
  assert.include = function (h, n, m) { check(includes(h, n), m, "expected " + show(h) + " to include " + show(n)); };
  assert.notInclude = function (h, n, m) { check(!includes(h, n), m, "expected " + show(h) + " to not include " + show(n)); };
  assert.match = function (v, re, m) { check(re.test(v), m, "expected " + show(v) + " to match " + show(re)); };
  assert.notMatch = function (v, re, m) { check(!re.test(v), m, "expected " + show(v) + " not to match " + show(re)); };
  assert.property = function (o, p, m) { check(o !== null && o !== undefined && p in Object(o), m, "expected " + show(o) + " to have property " + show(p)); };
  assert.notProperty = function (o, p, m) { check(!(o !== null && o !== undefined && p in Object(o)), m, "expected " + show(o) + " to not have property " + show(p)); };
  assert.propertyVal = function (o, p, v, m) {
    check(o !== null && o !== undefined && p in Object(o) && o[p] === v, m,
      "expected " + show(o) + " to have property " + show(p) + " of " + show(v) +
      (o !== null && o !== undefined && p in Object(o) ? ", but got " + show(o[p]) : ""));
  };
  assert.notPropertyVal = function (o, p, v, m) { check(!(o !== null && o !== undefined && p in Object(o) && o[p] === v), m, "expected " + show(o) + " to not have property " + show(p) + " of " + show(v)); };
  assert.lengthOf = function (v, n, m) {
    var length = lengthOf(v);
    check(length === n, m, "expected " + show(v) + " to have a length of " + show(n) + " but got " + show(length));
  };
  assert.isEmpty = function (v, m) { check(isEmpty(v), m, "expected " + show(v) + " to be empty"); };
  assert.isNotEmpty = function (v, m) { check(!isEmpty(v), m, "expected " + show(v) + " not to be empty"); };
  assert.isAbove = function (v, n, m) { check(v > n, m, "expected " + show(v) + " to be above " + show(n)); };
  assert.isAtLeast = function (v, n, m) { check(v >= n, m, "expected " + show(v) + " to be at least " + show(n)); };
  assert.isBelow = function (v, n, m) { check(v < n, m, "expected " + show(v) + " to be below " + show(n)); };
  assert.isAtMost = function (v, n, m) { check(v <= n, m, "expected " + show(v) + " to be at most " + show(n)); };
  assert.closeTo = assert.approximately = function (v, e, d, m) { check(Math.abs(v - e) <= d, m, "expected " + show(v) + " to be close to " + show(e) + " +/- " + show(d)); };
  assert.oneOf = function (v, list, m) { check(list.indexOf(v) !== -1, m, "expected " + show(v) + " to be one of " + show(list)); };
  assert.sameMembers = function (a, b, m) { check(sameMembers(a, b), m, "expected " + show(a) + " to have the same members as " + show(b)); };
  assert.includeMembers = function (a, b, m) { check(b.every(function (v) { return a.indexOf(v) !== -1; }), m, "expected " + show(a) + " to be a superset of " + show(b)); };
  assert.hasAllKeys = function (o, keys, m) { check(sameMembers(Object.keys(o).sort(), keys.slice().sort()), m, "expected " + show(o) + " to have keys " + show(keys)); };
  assert.hasAnyKeys = function (o, keys, m) { check(keys.some(function (k) { return own.call(o, k); }), m, "expected " + show(o) + " to have any of keys " + show(keys)); };
  assert.containsAllKeys = function (o, keys, m) { check(keys.every(function (k) { return own.call(o, k); }), m, "expected " + show(o) + " to contain keys " + show(keys)); };
  assert.throws = assert.throw = function (fn, m) {
    var threw = false;
    try { fn(); } catch (e) { threw = true; }
    check(threw, typeof m === "string" ? m : undefined, "expected " + show(fn) + " to throw an error");
  };
  assert.doesNotThrow = function (fn, m) {
    try { fn(); } catch (e) { check(false, typeof m === "string" ? m : undefined, "expected " + show(fn) + " to not throw an error but " + show(String(e)) + " was thrown"); }
  };
  global.assert = assert;

  global.__scimplan_output = function () {
    var out = { set: set, log: lines, request: null };
    if (request) {
      out.request = {
        method: String(request.method),
        url: String(request.url),
        headers: plainHeaders(request.headers),
        body: request.body === undefined || request.body === null ? null : String(request.body),
        // In the order the script left them (a JSON object read back would sort them).
        params: Object.keys(request.params || {}).map(function (name) {
          var values = request.params[name];
          return [name, (Array.isArray(values) ? values : [values]).map(String)];
        })
      };
    }
    return JSON.stringify(out);
  };
})(globalThis);
