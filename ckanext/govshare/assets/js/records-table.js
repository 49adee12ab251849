/*
 * govshare-records-table: a field of repeating records (信息项) edited as one table.
 *
 * Wraps scheming's repeating-subfields form of the field (scheming/form_snippets/
 * govshare_records.html). Without JavaScript that form stays as it is: one panel of fields
 * per record. With it, each record becomes a row and each subfield a column: the panels'
 * own fields (their names info_items-<i>-<subfield>, values and error messages) are moved
 * into the cells, so the form posts exactly what the panels would. Rows are added, moved up
 * or down and removed, and renumbered after each change (records are read by their index).
 *
 * Rows copied from a spreadsheet (tab-separated text, one row a line) are pasted into the
 * paste box, or into any cell: they fill the table from that cell, adding rows as needed; a
 * first line that repeats the column headings is skipped; a select takes the option whose
 * value or label is the pasted text.
 *
 * Options (data-module-*): field, the field name; add, up, down, remove, paste, pasted:
 * the texts of the controls (translated by the template: no strings of its own here).
 */
this.ckan.module('govshare-records-table', function ($) {
  'use strict';

  function clean(text) {
    return $.trim(String(text || '').replace(/\*/g, '').replace(/\s+/g, ' '));
  }

  /* rows and cells of tab-separated text: "a\tb\nc\td\n" -> [["a", "b"], ["c", "d"]] */
  function parseRows(text) {
    var lines = String(text || '').replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
    return $.map(lines, function (line) { return [line.split('\t')]; });
  }

  return {
    options: {
      field: '',
      add: '+',
      up: '↑',
      down: '↓',
      remove: '×',
      paste: '',
      pasted: ''
    },

    initialize: function () {
      $.proxyAll(this, /_on/);
      var field = this.options.field;
      var fieldset = this.el.find('fieldset[name="scheming-repeating-subfields"]').first();
      var group = fieldset.find('.scheming-repeating-subfields-group').first();
      var panels = group.children('.scheming-subfield-group');
      if (!field || !panels.length) {
        return;
      }
      this.pattern = new RegExp('^' + field + '-(\\d+)-(.+)$');
      this.columns = this._columns(panels.first());
      if (!this.columns.length) {
        return;
      }
      this.table = $('<table class="table table-condensed govshare-records-table"></table>');
      var head = $('<tr></tr>').append('<th scope="col">#</th>');
      $.each(this.columns, function (i, column) {
        head.append($('<th scope="col"></th>').text(column.label));
      });
      head.append('<th scope="col"><span class="visually-hidden"></span></th>');
      this.table.append($('<thead></thead>').append(head));
      this.body = $('<tbody></tbody>').appendTo(this.table);
      var module = this;
      panels.each(function () {
        module.body.append(module._rowFromPanel($(this)));
      });
      var tools = $('<div class="govshare-records-tools"></div>');
      $('<button type="button" class="btn btn-default govshare-row-add"></button>')
        .text(this.options.add).on('click', this._onAdd).appendTo(tools);
      this.pasteBox = $('<textarea class="form-control govshare-records-paste" rows="2"></textarea>')
        .attr('aria-label', this.options.paste).attr('placeholder', this.options.paste)
        .on('input', this._onPasteBox);
      tools.append(this.pasteBox);
      this.status = $('<p class="govshare-records-status" role="status"></p>').appendTo(tools);
      group.before($('<div class="table-responsive"></div>').append(this.table)).hide();
      group.before(tools);
      fieldset.find('[name="repeating-add"]').hide();
      this.body.on('click', 'button[data-row-action]', this._onRowAction);
      this.body.on('paste', 'input, select, textarea', this._onPasteCell);
      this._renumber();
    },

    /* the subfields of a panel, in its order, with their labels */
    _columns: function (panel) {
      var module = this;
      var columns = [];
      panel.find('.form-group').each(function () {
        var control = $(this).find('input, select, textarea').filter('[name]').first();
        var found = control.length ? module.pattern.exec(control.attr('name')) : null;
        if (found) {
          columns.push({sub: found[2], label: clean($(this).find('label').first().text())});
        }
      });
      return columns;
    },

    _rowFromPanel: function (panel) {
      var module = this;
      var row = $('<tr class="govshare-record-row"></tr>').append('<th scope="row" class="govshare-row-number"></th>');
      $.each(this.columns, function (i, column) {
        var cell = $('<td></td>').attr('data-sub', column.sub);
        var control = panel.find('[name$="-' + column.sub + '"]').filter(function () {
          return module.pattern.test(this.name);
        }).first();
        var formGroup = control.closest('.form-group');
        formGroup.find('label').first().addClass('visually-hidden');
        formGroup.find('.info-block').hide();
        cell.append(formGroup);
        row.append(cell);
      });
      var actions = $('<td class="govshare-row-actions"></td>');
      $.each(['up', 'down', 'remove'], function (i, action) {
        $('<button type="button" class="btn btn-default btn-sm"></button>')
          .attr('data-row-action', action).attr('title', module.options[action])
          .attr('aria-label', module.options[action]).text(
            {up: '↑', down: '↓', remove: '×'}[action]).appendTo(actions);
      });
      row.append(actions);
      panel.remove();
      return row;
    },

    /* names and ids follow the row's position: info_items-<i>-<subfield> */
    _renumber: function () {
      var module = this;
      this.body.children('tr').each(function (index) {
        var row = $(this);
        row.children('.govshare-row-number').text(index + 1);
        row.find('[name]').each(function () {
          var found = module.pattern.exec(this.name);
          if (found) {
            this.name = module.options.field + '-' + index + '-' + found[2];
          }
        });
        row.find('[id]').each(function () {
          this.id = this.id.replace(/^(field-[^-]+)-\d+-/, '$1-' + index + '-');
        });
        row.find('label[for]').each(function () {
          $(this).attr('for', $(this).attr('for').replace(/^(field-[^-]+)-\d+-/, '$1-' + index + '-'));
        });
      });
    },

    _emptyRow: function () {
      var row = this.body.children('tr').first().clone();
      row.find('input[type="text"], input:not([type]), input[type="number"], textarea').val('');
      row.find('input[type="checkbox"]').prop('checked', false);
      row.find('select').each(function () { this.selectedIndex = 0; });
      row.find('.error-block').remove();
      row.find('.error').removeClass('error');
      return row;
    },

    _add: function () {
      var row = this._emptyRow();
      this.body.append(row);
      this._renumber();
      return row;
    },

    _onAdd: function () {
      this._add().find('input, select, textarea').filter('[name]').first().trigger('focus');
    },

    _onRowAction: function (event) {
      var button = $(event.currentTarget);
      var row = button.closest('tr');
      var action = button.attr('data-row-action');
      if (action === 'up') {
        row.prev().before(row);
      } else if (action === 'down') {
        row.next().after(row);
      } else if (action === 'remove') {
        if (this.body.children('tr').length === 1) {
          this.body.append(this._emptyRow());
        }
        row.remove();
      }
      this._renumber();
    },

    /* a select takes the option whose value or label is the text; other controls the text */
    _setValue: function (control, text) {
      text = $.trim(text);
      if (control.is('select')) {
        var wanted = text.toLowerCase();
        var match = null;
        control.find('option').each(function () {
          var option = $(this);
          var label = clean(option.text()).toLowerCase();
          if (option.val().toLowerCase() === wanted || label === wanted ||
              (wanted && label.indexOf(wanted) === 0 && match === null)) {
            match = option.val();
            if (option.val().toLowerCase() === wanted || label === wanted) {
              return false;
            }
          }
          return true;
        });
        control.val(match === null ? '' : match);
      } else if (control.is(':checkbox')) {
        control.prop('checked', /^(1|true|yes|y|是)$/i.test(text));
      } else {
        control.val(text);
      }
      control.trigger('change');
    },

    /* fill the table with tab-separated rows, from row ``rowIndex`` and column ``column`` */
    _paste: function (text, rowIndex, column) {
      var rows = parseRows(text);
      var columns = this.columns;
      var module = this;
      if (rows.length && column === 0) {
        var heading = $.map(columns, function (c) { return c.label.toLowerCase(); });
        var first = rows[0];
        if (first.length > 1 && $.inArray(clean(first[0]).toLowerCase(), heading) >= 0 &&
            $.inArray(clean(first[1]).toLowerCase(), heading) >= 0) {
          rows.shift();
        }
      }
      $.each(rows, function (r, cells) {
        var row = module.body.children('tr').eq(rowIndex + r);
        if (!row.length) {
          row = module._add();
        }
        $.each(cells, function (c, value) {
          var target = columns[column + c];
          if (target) {
            var control = row.children('td[data-sub="' + target.sub + '"]')
              .find('input, select, textarea').filter('[name]').first();
            module._setValue(control, value);
          }
        });
      });
      this.status.text(this.options.pasted.replace('{n}', rows.length));
    },

    _firstFreeRow: function () {
      var rows = this.body.children('tr');
      var last = -1;
      rows.each(function (index) {
        var filled = $(this).find('input[type="text"], input:not([type]), textarea').filter(function () {
          return $.trim(this.value) !== '';
        }).length;
        if (filled) {
          last = index;
        }
      });
      return last + 1;
    },

    _onPasteBox: function () {
      var text = this.pasteBox.val();
      if (!/[\t\n]/.test(text)) {
        return;
      }
      this.pasteBox.val('');
      this._paste(text, this._firstFreeRow(), 0);
    },

    _onPasteCell: function (event) {
      var data = event.originalEvent && event.originalEvent.clipboardData;
      var text = data ? data.getData('text/plain') : '';
      if (!/[\t\n]/.test($.trim(text))) {
        return;  // one value: the browser pastes it
      }
      event.preventDefault();
      var cell = $(event.currentTarget).closest('td');
      var rowIndex = cell.closest('tr').index();
      var column = 0;
      var sub = cell.attr('data-sub');
      $.each(this.columns, function (i, c) { if (c.sub === sub) { column = i; } });
      this._paste(text, rowIndex, column);
    }
  };
});
