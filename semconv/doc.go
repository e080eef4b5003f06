// Package semconv names the attributes, event names and rule categories Vigil emits.
package semconv
