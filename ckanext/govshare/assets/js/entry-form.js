/*
 * govshare-entry-form: the catalogue entry form's linked pick-lists and conditional parts.
 *
 * Wraps the fields of the dataset form (scheming/package/snippets/package_form.html) and reads
 * its configuration from data-module-config, made by h.govshare_entry_form_config from the
 * schema (ckanext/govshare/entry_form.py):
 *
 *   linked:    {field: {parent: "format_category", choices: [{value, label, parent}]}}
 *              a choice's parent is a value, a list of values, or "" (every value);
 *   show_when: {field: {depends_on: [values]}}  shown while any depends_on has one of them.
 *
 * When a parent changes, its linked selects are refilled with the choices of the new value
 * (the current choice is kept when it is still offered) and a change event is sent on, so that
 * what depends on them follows. Parts that do not apply are hidden, never removed: their values
 * stay in the form, and a part the server marked with an error stays visible. Convenience only:
 * the server's rules decide what is stored. No strings of its own to translate.
 */
this.ckan.module('govshare-entry-form', function ($) {
  'use strict';

  function belongsTo(owner, value) {
    if (!value || owner === null || owner === undefined || owner === '') {
      return true;
    }
    if ($.isArray(owner)) {
      return owner.length === 0 || $.inArray(value, owner) >= 0;
    }
    return String(owner) === value;
  }

  return {
    options: {
      config: {}
    },

    initialize: function () {
      $.proxyAll(this, /_on/);
      var config = this.options.config || {};
      this.linked = config.linked || {};
      this.showWhen = config.show_when || {};

      var parents = {};
      var name;
      for (name in this.linked) {
        if (this.linked.hasOwnProperty(name)) {
          parents[this.linked[name].parent] = true;
        }
      }
      for (name in this.showWhen) {
        if (this.showWhen.hasOwnProperty(name)) {
          for (var dep in this.showWhen[name]) {
            if (this.showWhen[name].hasOwnProperty(dep)) {
              parents[dep] = true;
            }
          }
        }
      }
      for (name in parents) {
        if (parents.hasOwnProperty(name)) {
          this.input(name).on('change', this._onChange);
        }
      }
      // the browser may have restored other values than the server rendered the options for
      for (name in this.linked) {
        if (this.linked.hasOwnProperty(name)) {
          var select = this.input(name);
          var parentValue = this.value(this.linked[name].parent);
          if (select.length && select.attr('data-govshare-offered-for') !== parentValue) {
            this.refill(name);
          }
        }
      }
      this.applyVisibility();
    },

    /* The form's control of a field, by its name. */
    input: function (name) {
      return this.el.find('[name="' + name + '"]');
    },

    value: function (name) {
      var input = this.input(name);
      return input.length ? String(input.val() || '') : '';
    },

    /* The form group of a field: the block with its label, input, help and errors. */
    group: function (name) {
      var group = this.el.find('#field-' + name).closest('.form-group');
      if (!group.length) {
        group = this.el.find('label[for="field-' + name + '"]').closest('.form-group');
      }
      return group;
    },

    _onChange: function (event) {
      var changed = event.target.name;
      for (var name in this.linked) {
        if (this.linked.hasOwnProperty(name) && this.linked[name].parent === changed) {
          this.refill(name);
        }
      }
      this.applyVisibility();
    },

    /* Offer in the select `name` the choices of its parent's current value. */
    refill: function (name) {
      var select = this.input(name);
      if (!select.length) {
        return;
      }
      var spec = this.linked[name];
      var parentValue = this.value(spec.parent);
      var current = String(select.val() || '');
      var blank = select.find('option').filter(function () { return this.value === ''; }).length > 0;
      var kept = false;
      select.empty();
      if (blank) {
        select.append($('<option>').val('').text(''));
      }
      $.each(spec.choices, function (_i, choice) {
        if (belongsTo(choice.parent, parentValue)) {
          select.append($('<option>').val(choice.value).text(choice.label));
          kept = kept || choice.value === current;
        }
      });
      select.val(kept ? current : (blank ? '' : select.find('option').first().val()));
      select.attr('data-govshare-offered-for', parentValue);
      select.trigger('change');
    },

    /* Show each conditional part while one of its conditions holds (or it has an error). */
    applyVisibility: function () {
      for (var name in this.showWhen) {
        if (!this.showWhen.hasOwnProperty(name)) {
          continue;
        }
        var group = this.group(name);
        var conditions = this.showWhen[name];
        var shown = group.hasClass('error');
        for (var dep in conditions) {
          if (conditions.hasOwnProperty(dep) && $.inArray(this.value(dep), conditions[dep]) >= 0) {
            shown = true;
          }
        }
        group.toggle(shown);
        group.attr('data-govshare-hidden', shown ? null : 'true');
      }
    }
  };
});
