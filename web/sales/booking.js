/* A lead's booked call on the lead page of the sales console, with its .ics download.
 *
 * A module of web/sales/sales.js, on web/sales_booking.py's API. When a lead is opened it
 * shows the call the visitor booked after consenting (a time, in the sales team's time zone,
 * and its calendar file), or that they were sent the booking page.
 */
(function () {
  "use strict";

  var console_ = window.SalesConsole;
  if (!console_) return;
  var facts = document.getElementById("lead-facts");
  if (!facts) return;

  var block = document.createElement("div");
  block.id = "lead-meeting";
  block.hidden = true;
  var title = document.createElement("h3");
  title.textContent = "Call";
  var line = document.createElement("p");
  line.id = "lead-meeting-when";
  var download = document.createElement("a");
  download.id = "lead-meeting-ics";
  download.className = "button button--quiet";
  download.textContent = "Download .ics";
  download.setAttribute("download", "call.ics");
  block.appendChild(title);
  block.appendChild(line);
  block.appendChild(download);
  facts.parentNode.insertBefore(block, facts.nextSibling);

  function when(meeting) {
    var zone = meeting.timezone || "UTC";
    var day = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, weekday: "long", day: "numeric", month: "long", year: "numeric",
    });
    var time = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit" });
    var start = new Date(meeting.starts_at);
    var end = new Date(meeting.ends_at);
    return day.format(start) + ", " + time.format(start) + "\u2013" + time.format(end) + " (" + zone + ")";
  }

  console_.on("lead-opened", function (data) {
    var id = data && data.lead && data.lead.conversation_id;
    block.hidden = true;
    if (!id) return;
    var path = "leads/" + encodeURIComponent(id) + "/meeting";
    console_.api(path).then(function (answer) {
      var meeting = answer.meeting;
      if (!meeting) return;
      if (meeting.kind === "slot") {
        line.textContent = "Booked for " + when(meeting) + ".";
        download.href = "/sales/api/" + path + ".ics";
        download.hidden = false;
      } else {
        line.textContent = "Sent the booking page (" + meeting.booking_page + "); they choose the time there.";
        download.hidden = true;
      }
      block.hidden = false;
    }).catch(function (error) {
      line.textContent = "The booked call could not be read: " + error.message;
      download.hidden = true;
      block.hidden = false;
    });
  });
})();
